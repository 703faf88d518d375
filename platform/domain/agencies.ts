import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Kind, parse, type DocumentNode } from 'graphql';

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

/**
 * The repository root, found from this module's location so that the same code works from the
 * TypeScript sources (tests) and from the compiled `dist/` tree (processes).
 */
export const projectRoot: string = findProjectRoot(path.dirname(fileURLToPath(import.meta.url)));

/** The SDL of an agency's subgraph: the shared definitions followed by the agency's schema.graphql. */
export function subgraphTypeDefs(agency: Agency): DocumentNode {
  return parse(subgraphSdl(agency));
}

/** The SDL text of an agency's subgraph, as {@link subgraphTypeDefs} parses it. */
export function subgraphSdl(agency: Agency): string {
  const own = readFileSync(path.join(projectRoot, 'subgraphs', agency, 'schema.graphql'), 'utf8');
  const shortlist = readFileSync(path.join(projectRoot, 'subgraphs/runtime/agency.graphql'), 'utf8');
  return `${own}\n${shortlist}\n${commonSdl()}`;
}

/** The definitions every subgraph shares: the @classify vocabulary and the scalars. */
export function commonSdl(): string {
  return readFileSync(path.join(projectRoot, 'platform/domain/common.graphql'), 'utf8');
}

function findProjectRoot(start: string): string {
  let dir = start;
  for (;;) {
    if (existsSync(path.join(dir, 'package.json')) && existsSync(path.join(dir, 'subgraphs'))) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`cannot find the project root above ${start}`);
    dir = parent;
  }
}

/** The purposes a request may declare: the values of the `Purpose` enum of the shared schema. */
export function purposeValues(): string[] {
  const common = parse(readFileSync(path.join(projectRoot, 'platform/domain/common.graphql'), 'utf8'));
  for (const def of common.definitions) {
    if (def.kind === Kind.ENUM_TYPE_DEFINITION && def.name.value === 'Purpose') return (def.values ?? []).map((v) => v.name.value);
  }
  throw new Error('the shared schema declares no Purpose enum');
}
