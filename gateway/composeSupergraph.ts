/**
 * Build-time composition of the supergraph from the agency subgraph schemas. The gateway composes
 * nothing at run time: what it serves is exactly what this produced and CI checked.
 */
import { composeServices } from '@apollo/composition';
import { parse } from 'graphql';
import { classificationProblems } from './catalogue.js';

/** A subgraph to compose: its name (the agency), URL and SDL. */
export interface SubgraphSource {
  readonly name: string;
  readonly url: string;
  readonly sdl: string;
}

/** The composed supergraph, or the reasons it could not be composed. */
export type CompositionResult = { readonly ok: true; readonly supergraphSdl: string } | { readonly ok: false; readonly errors: readonly string[] };

/**
 * Composes the subgraphs and checks the classification rules (see classificationProblems).
 * Errors are the composer's own messages, prefixed by their code.
 */
export function composeSupergraph(subgraphs: readonly SubgraphSource[]): CompositionResult {
  const result = composeServices(subgraphs.map((s) => ({ name: s.name, url: s.url, typeDefs: parse(s.sdl) })));
  if (result.errors) {
    return { ok: false, errors: result.errors.map((e) => `${typeof e.extensions?.['code'] === 'string' ? e.extensions['code'] : 'ERROR'}: ${e.message}`) };
  }
  const problems = classificationProblems(result.supergraphSdl);
  if (problems.length > 0) return { ok: false, errors: problems };
  return { ok: true, supergraphSdl: result.supergraphSdl };
}
