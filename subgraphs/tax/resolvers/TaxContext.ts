/** What the tax administration's resolvers receive as context (codegen.ts types them with it). */
import type { SubgraphContext } from '../../runtime/subgraphServer.js';
import type { TaxSource } from '../data/TaxSource.js';

/** The caller the gateway signed for, and the request's {@link TaxSource}. */
export type TaxContext = SubgraphContext<TaxSource>;
