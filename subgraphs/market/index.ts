/** Market regulation's subgraph process (port 4001 by default). */
import { main } from '../runtime/subgraphServer.js';
import { MarketSource } from './data/MarketSource.js';
import { PUBLISHED_DECISIONS } from './data/MarketEntries.js';
import { resolvers } from './resolvers/index.js';
import { marketSchedule } from './scheduledMoves.js';

await main({ agency: 'market', resolvers, createSources: (db, cursors) => new MarketSource(db, cursors), publication: PUBLISHED_DECISIONS, schedule: marketSchedule });
