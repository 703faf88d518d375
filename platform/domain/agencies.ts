/**
 * The agency registry: each agency of the federation is declared here once — its id (the name of
 * its subgraph, folder and database), the code used in tokens, audit records and the review's
 * contracts, its subgraph's default port, its names, and the key of its profile on `Enterprise`.
 * Everything else derives from this table; where another language must spell the list again
 * (the review's GraphQL and proto enums, the Rego policies), registry.test.ts fails when it
 * disagrees.
 */

/** What the registry says of one agency. */
export interface AgencyEntry {
  /** The code in tokens, audit records, the review's enums and the Rego rules. */
  readonly code: string;
  /** The subgraph's default port (the gateway is on 4000). */
  readonly port: number;
  /** Its admin port's default: /metrics, /healthz, /readyz (the gateway's is 9400). */
  readonly adminPort: number;
  /** The agency's name in English, as a sentence names it ("… did not answer"). */
  readonly name: string;
  /** Its name in Chinese. */
  readonly nameZh: string;
  /** The field of `Enterprise` that holds its profile. */
  readonly profileKey: string;
}

/** The registry. */
export const AGENCY_REGISTRY = {
  market: { code: 'MARKET', port: 4001, adminPort: 9401, name: 'market regulation', nameZh: '市场监督管理', profileKey: 'market' },
  tax: { code: 'TAX', port: 4002, adminPort: 9402, name: 'the tax administration', nameZh: '税务', profileKey: 'tax' },
  social: { code: 'SOCIAL', port: 4003, adminPort: 9403, name: 'social security', nameZh: '人力资源和社会保障', profileKey: 'social' },
  customs: { code: 'CUSTOMS', port: 4004, adminPort: 9404, name: 'customs', nameZh: '海关', profileKey: 'customs' },
} as const satisfies Record<string, AgencyEntry>;

/** One of the four agencies. */
export type Agency = keyof typeof AGENCY_REGISTRY;

/** The four agencies of the federation, each serving one subgraph over its own database, in the registry's order. */
export const AGENCIES = Object.keys(AGENCY_REGISTRY) as readonly Agency[];

/** The code of each agency. */
export const AGENCY_CODES = Object.fromEntries(AGENCIES.map((agency) => [agency, AGENCY_REGISTRY[agency].code])) as {
  readonly [A in Agency]: (typeof AGENCY_REGISTRY)[A]['code'];
};

/** The code of one of the four agencies. */
export type AgencyCode = (typeof AGENCY_REGISTRY)[Agency]['code'];

/** Default ports of the subgraphs (4001–4004); the gateway is on 4000. */
export const DEFAULT_SUBGRAPH_PORTS: Readonly<Record<Agency, number>> = Object.fromEntries(AGENCIES.map((agency) => [agency, AGENCY_REGISTRY[agency].port])) as Record<Agency, number>;

/** The agency whose code is `code`, if any. */
export function agencyOfCode(code: string): Agency | undefined {
  return AGENCIES.find((agency) => AGENCY_REGISTRY[agency].code === code);
}

/** Default admin ports of the subgraphs (/metrics, /healthz, /readyz): 9401–9404; the gateway's is 9400. */
export const DEFAULT_SUBGRAPH_ADMIN_PORTS: Readonly<Record<Agency, number>> = Object.fromEntries(AGENCIES.map((agency) => [agency, AGENCY_REGISTRY[agency].adminPort])) as Record<Agency, number>;

/** True when `value` names one of the four agencies. */
export function isAgency(value: string): value is Agency {
  return (AGENCIES as readonly string[]).includes(value);
}
