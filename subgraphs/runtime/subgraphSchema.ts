/** The schema of an agency's subgraph, as it is served and as the supergraph is composed from it. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { parse, type DocumentNode } from 'graphql';
import type { Agency } from '../../platform/domain/agencies.js';
import { projectRoot } from '../../platform/config/projectRoot.js';
import { commonSdl } from '../../platform/domain/commonSchema.js';

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
