/** Market regulation's subgraph process (port 4001 by default). */
import { main } from '../runtime/subgraphServer.js';
import { MarketSource } from './data/MarketSource.js';
import { resolvers } from './resolvers/index.js';

await main({ agency: 'market', resolvers, createSources: (db, cursors) => new MarketSource(db, cursors) });
