/** What the customs subgraph's resolvers receive as context (codegen.ts types them with it). */
import type { SubgraphContext } from '../../runtime/subgraphServer.js';
import type { CustomsSource } from '../data/CustomsSource.js';

/** The caller the gateway signed for, and the request's {@link CustomsSource}. */
export type CustomsContext = SubgraphContext<CustomsSource>;
