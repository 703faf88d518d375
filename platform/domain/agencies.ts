/** The agency registry: the four agencies are declared here once, with their codes and default ports. */
/** The four agencies of the federation, each serving one subgraph over its own database. */
export const AGENCIES = ['market', 'tax', 'social', 'customs'] as const;

/** One of the four agencies. */
export type Agency = (typeof AGENCIES)[number];

/**
 * The agency code used in tokens, audit records and the review's contracts (the GraphQL and proto
 * enums `Agency`, the review rules): agencies.test.ts fails when one of those disagrees.
 */
export const AGENCY_CODES = {
  market: 'MARKET',
  tax: 'TAX',
  social: 'SOCIAL',
  customs: 'CUSTOMS',
} as const satisfies Record<Agency, string>;

/** The code of one of the four agencies. */
export type AgencyCode = (typeof AGENCY_CODES)[Agency];

/** Default ports of the subgraphs (4001–4004); the gateway is on 4000. */
export const DEFAULT_SUBGRAPH_PORTS: Record<Agency, number> = {
  market: 4001,
  tax: 4002,
  social: 4003,
  customs: 4004,
};

/** Default admin ports of the subgraphs (/metrics, /healthz, /readyz): 9401–9404; the gateway's is 9400. */
export const DEFAULT_SUBGRAPH_ADMIN_PORTS: Record<Agency, number> = {
  market: 9401,
  tax: 9402,
  social: 9403,
  customs: 9404,
};

/** True when `value` names one of the four agencies. */
export function isAgency(value: string): value is Agency {
  return (AGENCIES as readonly string[]).includes(value);
}
