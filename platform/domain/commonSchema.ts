/**
 * The GraphQL definitions every schema of the graph shares (common.graphql beside this module):
 * the @classify vocabulary, the purposes a request may declare and the scalars. The agencies'
 * subgraphs and the gateway's own subgraphs add them to their schemas, and whatever needs the
 * list of purposes reads it from here.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Kind, parse } from 'graphql';
import { projectRoot } from '../config/projectRoot.js';

/** The definitions every subgraph shares: the @classify vocabulary and the scalars. */
export function commonSdl(): string {
  return readFileSync(path.join(projectRoot, 'platform/domain/common.graphql'), 'utf8');
}

/** The purposes a request may declare: the values of the `Purpose` enum of the shared schema. */
export function purposeValues(): string[] {
  const common = parse(readFileSync(path.join(projectRoot, 'platform/domain/common.graphql'), 'utf8'));
  for (const def of common.definitions) {
    if (def.kind === Kind.ENUM_TYPE_DEFINITION && def.name.value === 'Purpose') return (def.values ?? []).map((v) => v.name.value);
  }
  throw new Error('the shared schema declares no Purpose enum');
}
