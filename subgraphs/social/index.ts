/** Social security's subgraph process (port 4003 by default). */
import { main } from '../runtime/subgraphServer.js';
import { SocialSource } from './data/SocialSource.js';
import { resolvers } from './resolvers/index.js';

await main({ agency: 'social', resolvers, createSources: (db, cursors) => new SocialSource(db, cursors) });
