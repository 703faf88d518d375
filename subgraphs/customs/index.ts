/** The customs subgraph process (port 4004 by default). */
import { main } from '../runtime/subgraphServer.js';
import { CustomsSource } from './data/CustomsSource.js';
import { PUBLISHED_DECISIONS } from './data/CustomsEntries.js';
import { resolvers } from './resolvers/index.js';

await main({ agency: 'customs', resolvers, createSources: (db, cursors) => new CustomsSource(db, cursors), publication: PUBLISHED_DECISIONS });
