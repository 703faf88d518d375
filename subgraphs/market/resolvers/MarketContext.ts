/** What market regulation's resolvers receive as context (codegen.ts types them with it). */
import type { SubgraphContext } from '../../runtime/subgraphServer.js';
import type { MarketSource } from '../data/MarketSource.js';

/** The caller the gateway signed for, and the request's {@link MarketSource}. */
export type MarketContext = SubgraphContext<MarketSource>;
