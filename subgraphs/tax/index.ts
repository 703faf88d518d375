/** The tax administration's subgraph process (port 4002 by default). */
import { main } from '../runtime/subgraphServer.js';
import { TaxSource } from './data/TaxSource.js';
import { PUBLISHED_DECISIONS } from './data/TaxEntries.js';
import { resolvers } from './resolvers/index.js';
import { taxSchedule } from './scheduledEnds.js';

await main({ agency: 'tax', resolvers, createSources: (db) => new TaxSource(db), publication: PUBLISHED_DECISIONS, schedule: taxSchedule });
