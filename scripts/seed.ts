/**
 * Loads the synthetic universe into every agency's database (PGlite, or PostgreSQL where
 * DATABASE_URL_<AGENCY> is set), with COPY, one transaction per agency: an interrupted seed
 * leaves the agency's previous data untouched.
 *
 *   node dist/scripts/seed.js --size 5000 [--seed meg-2026] [--if-empty] [--agencies market,tax]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { AGENCIES, isAgency, type Agency } from '../platform/domain/agencies.js';
import { projectRoot } from '../platform/config/projectRoot.js';
import { databaseLocationFrom } from '../platform/config/dataLocations.js';
import { migrate, openDatabase } from '../platform/db/database.js';
import { copyValue, type AgencySeed } from '../platform/db/seeding.js';
import { DEFAULT_SEED, enterpriseAt } from '../platform/domain/synthetic/universe.js';
import { AGENCY_SEEDS } from '../subgraphs/seeds.js';

/** Enterprises generated and copied at a time. */
const CHUNK = 5_000;

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '5000' },
    seed: { type: 'string', default: DEFAULT_SEED },
    'if-empty': { type: 'boolean', default: false },
    agencies: { type: 'string', default: AGENCIES.join(',') },
  },
});

const size = Number(values.size);
if (!Number.isInteger(size) || size < 1 || size > 50_000_000) {
  fail(`--size must be a whole number of enterprises from 1 to 50,000,000, not ${JSON.stringify(values.size)}`);
}
const agencies = values.agencies.split(',').map((a) => a.trim());
for (const a of agencies) if (!isAgency(a)) fail(`--agencies: "${a}" is not one of ${AGENCIES.join(', ')}`);

async function seedAgency(slice: AgencySeed, size: number, seed: string, ifEmpty: boolean): Promise<void> {
  const location = databaseLocationFrom(process.env, slice.agency);
  const where = 'url' in location ? redact(location.url) : path.relative(projectRoot, location.dataDir);
  const db = await openDatabase(location, { poolSize: 2 });
  try {
    await migrate(db, path.join(projectRoot, 'subgraphs', slice.agency, 'migrations'));
    if (ifEmpty) {
      const [row] = await db.query<{ seeded: boolean }>('seed', `SELECT EXISTS (SELECT 1 FROM ${slice.tables[0]!.name}) AS seeded`);
      if (row?.seeded) {
        console.log(`${slice.agency.padEnd(8)} already seeded (${where})`);
        return;
      }
    }
    const progress = new ProgressBar(`${slice.agency.padEnd(8)}`, size);
    let rows = 0;
    await db.transaction(async (tx) => {
      await tx.query(`TRUNCATE ${slice.tables.map((t) => t.name).join(', ')}`);
      let pending: Promise<void> = Promise.resolve();
      for (let start = 0; start < size; start += CHUNK) {
        const end = Math.min(size, start + CHUNK);
        const buffers = new Map(slice.tables.map((t) => [t.name, [] as string[]]));
        for (let i = start; i < end; i++) {
          slice.rowsFor(enterpriseAt(seed, i), seed, (table, row) => {
            buffers.get(table)!.push(row.map(copyValue).join('\t'));
          });
        }
        // Generation of the next chunk overlaps the copy of this one.
        await pending;
        pending = (async () => {
          for (const table of slice.tables) {
            const lines = buffers.get(table.name)!;
            if (lines.length === 0) continue;
            rows += lines.length;
            await tx.copyIn(table.name, table.columns, `${lines.join('\n')}\n`);
          }
          progress.update(end);
        })();
      }
      await pending;
      progress.update(size, 'vacuuming and analyzing');
    });
    // VACUUM as well as ANALYZE: a table just filled by COPY has no visibility map yet, so its
    // first readers (or an autovacuum under load) would pay for it.
    for (const table of slice.tables) await db.query('seed', `VACUUM (ANALYZE) ${table.name}`);
    progress.done(`${rows.toLocaleString('en')} rows into ${where}`);
  } finally {
    await db.close();
  }
}

/** A one-line progress bar on stderr; on a non-terminal it prints every tenth. */
class ProgressBar {
  private readonly started = Date.now();
  private lastDecile = -1;

  constructor(
    private readonly label: string,
    private readonly total: number,
  ) {}

  update(done: number, note = ''): void {
    const fraction = done / this.total;
    const seconds = (Date.now() - this.started) / 1000;
    const rate = seconds > 0 ? Math.round(done / seconds) : 0;
    const eta = rate > 0 ? Math.round((this.total - done) / rate) : 0;
    const width = 30;
    const filled = Math.round(fraction * width);
    const line =
      `${this.label} [${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}% ` +
      `${done.toLocaleString('en')}/${this.total.toLocaleString('en')} enterprises, ${rate.toLocaleString('en')}/s, ETA ${eta}s ${note}`;
    if (process.stderr.isTTY) {
      process.stderr.write(`\r${line}\x1b[K`);
    } else {
      const decile = Math.floor(fraction * 10);
      if (decile !== this.lastDecile) {
        this.lastDecile = decile;
        process.stderr.write(`${line}\n`);
      }
    }
  }

  done(summary: string): void {
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1);
    if (process.stderr.isTTY) process.stderr.write('\r\x1b[K');
    console.log(`${this.label} ${this.total.toLocaleString('en')} enterprises, ${summary} in ${seconds}s`);
  }
}

function redact(url: string): string {
  const u = new URL(url);
  if (u.password) u.password = '***';
  return u.toString();
}

function fail(message: string): never {
  console.error(`seed: ${message}`);
  process.exit(2);
}

// Classes above are initialised before the work starts.
for (const agency of agencies as Agency[]) {
  await seedAgency(AGENCY_SEEDS[agency], size, values.seed, values['if-empty']);
}
