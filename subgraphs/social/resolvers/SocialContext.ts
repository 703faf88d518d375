/** What social security's resolvers receive as context (codegen.ts types them with it). */
import type { SubgraphContext } from '../../runtime/subgraphServer.js';
import type { SocialSource } from '../data/SocialSource.js';

/** The caller the gateway signed for, and the request's {@link SocialSource}. */
export type SocialContext = SubgraphContext<SocialSource>;
