/** The agency registry: the four agencies are declared here once, with their codes and default ports. */
/** The four agencies of the federation, each serving one subgraph over its own database. */
export const AGENCIES = ['market', 'tax', 'social', 'customs'] as const;

/** One of the four agencies. */
export type Agency = (typeof AGENCIES)[number];

/** The agency code used in tokens and audit records. */
export const AGENCY_CODES: Record<Agency, string> = {
  market: 'MARKET',
  tax: 'TAX',
  social: 'SOCIAL',
  customs: 'CUSTOMS',
};

/** Default ports of the subgraphs (4001–4004); the gateway is on 4000. */
export const DEFAULT_SUBGRAPH_PORTS: Record<Agency, number> = {
  market: 4001,
  tax: 4002,
  social: 4003,
  customs: 4004,
};

/** True when `value` names one of the four agencies. */
export function isAgency(value: string): value is Agency {
  return (AGENCIES as readonly string[]).includes(value);
}
