/**
 * The write path and the credit events under load, on gateway (b) with its agencies and a NATS
 * JetStream server of the benchmark's own:
 *
 * - **writes per second per agency**: each agency's officers recording (market penalties, tax and
 *   social-insurance arrears, customs violations) closed-loop, every write its own decision and
 *   idempotency key;
 * - **commit to Watch**: market penalties at a fixed rate (200/s) while reads of the profile run
 *   closed-loop beside them, watched by an approval system; the time from the write's commit time
 *   (the event's occurredAt, the agency's clock on this machine) to the event's arrival at the
 *   subscriber, p50 and p99;
 * - **reads beside writes**: the profile's read throughput with those writes running, over reads
 *   alone, the median of interleaved rounds.
 */
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import type { CreditEvent__Output } from '../gateway/generated/proto/meg/events/v1/CreditEvent.js';
import { loadEventsProto } from '../gateway/review/reviewProto.js';
import type { TokenClaims } from '../gateway/auth/tokens.js';
import { AGENCIES, type Agency } from '../platform/domain/agencies.js';
import { chinaDate } from '../platform/time/calendarDate.js';

/** What a load generator run reports (bench/loadgen). */
export interface LoadFigures {
  readonly requests: number;
  readonly ok: number;
  readonly failed: number;
  readonly rps: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly firstError?: string;
}

/** What {@link measureEvents} needs of the benchmark. */
export interface EventsBenchOptions {
  readonly gatewayUrl: string;
  readonly grpcAddress: string;
  readonly work: string;
  readonly loadgen: string;
  readonly loadCore: string;
  readonly seconds: number;
  readonly rounds: number;
  readonly concurrency: number;
  /** The enterprise at `i` of the seeded universe. */
  readonly code: (i: number) => string;
  readonly universe: number;
  /** The profile's read bodies and tokens, as the profile scenario sends them. */
  readonly reads: { readonly bodyFile: string; readonly tokensFile: string; readonly purpose: string };
  readonly mintToken: (claims: TokenClaims) => Promise<string>;
  readonly log: (line: string) => void;
  /** The fixed write rate of the delivery measurement (default 200/s). */
  readonly writeRate?: number;
  /** The agencies' databases: what earlier runs wrote there is removed first. */
  readonly databaseUrls: Readonly<Record<string, string>>;
  /** The benchmark's NATS server: the events are also watched on the stream itself, to time each leg. */
  readonly natsUrl: string;
  /** CPU seconds spent so far by each part of the system under test (the gateway, the subgraphs, their databases, the audit database, NATS). */
  readonly cpuSeconds: () => Readonly<Record<string, number>>;
}

/** Where the time from commit to Watch goes: commit to the stream (the agency's relay), the stream to the subscriber (the gateway). */
export interface DeliveryLegs {
  readonly toStreamP50Ms: number;
  readonly toStreamP99Ms: number;
  readonly toWatchP50Ms: number;
  readonly toWatchP99Ms: number;
}

/** The figures. */
export interface EventsFigures {
  readonly writesPerSecond: Readonly<Record<Agency, { rps: number; p50Ms: number; p99Ms: number; failed: number }>>;
  readonly delivery: {
    readonly writeRate: number;
    readonly written: number;
    readonly delivered: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly maxMs: number;
    readonly legs: DeliveryLegs;
  };
  /** The same writes with no reads beside them, and what each write cost the machine (every process, in CPU ms per write, over the idle machine). */
  readonly deliveryWithoutReads: {
    readonly written: number;
    readonly delivered: number;
    readonly p50Ms: number;
    readonly p99Ms: number;
    readonly legs: DeliveryLegs;
    readonly cpuMsPerWrite: number;
    readonly cpuMsPerWriteByPart: Readonly<Record<string, number>>;
  };
  readonly readsBesideWrites: { readonly aloneRps: number[]; readonly besideRps: number[]; readonly ratio: number; readonly writesFailed: number };
}

/** Each agency's write, its officer and the purpose it is made for. */
const WRITES: Record<Agency, { agency: string; purpose: string; query: string; input: (uscc: string, i: number) => Record<string, unknown> }> = {
  market: {
    agency: 'MARKET',
    purpose: 'CREDIT_SUPERVISION',
    query: 'mutation W($i: RecordPenaltyInput!, $d: DecisionInput!, $k: String!) { recordPenalty(input: $i, decision: $d, idempotencyKey: $k) { receipt { eventId } } }',
    input: (uscc, i) => ({ uscc, category: 'FINE', cause: '虚假宣传', basis: '《中华人民共和国反不正当竞争法》第八条', result: '罚款', amount: 1_000 + (i % 100_000) }),
  },
  tax: {
    agency: 'TAX',
    purpose: 'TAX_ADMINISTRATION',
    query: 'mutation W($i: RecordTaxArrearsInput!, $d: DecisionInput!, $k: String!) { recordTaxArrears(input: $i, decision: $d, idempotencyKey: $k) { receipt { eventId } } }',
    input: (uscc, i) => ({ uscc, taxType: '增值税', amount: 10_000 + (i % 1_000), since: dayOf(i) }),
  },
  social: {
    agency: 'SOCIAL',
    purpose: 'SOCIAL_INSURANCE_ADMINISTRATION',
    query: 'mutation W($i: RecordContributionArrearsInput!, $d: DecisionInput!, $k: String!) { recordContributionArrears(input: $i, decision: $d, idempotencyKey: $k) { receipt { eventId } } }',
    input: (uscc, i) => ({ uscc, insuranceType: 'PENSION', amount: 5_000 + (i % 1_000), months: 3, since: dayOf(i) }),
  },
  customs: {
    agency: 'CUSTOMS',
    purpose: 'CUSTOMS_SUPERVISION',
    query: 'mutation W($i: RecordCustomsViolationInput!, $d: DecisionInput!, $k: String!) { recordCustomsViolation(input: $i, decision: $d, idempotencyKey: $k) { receipt { eventId } } }',
    input: (uscc, i) => ({ uscc, nature: '申报不实', penaltyAmount: 2_000 + (i % 1_000) }),
  },
};

/** A past day for write `i` (arrears are unique per enterprise, kind and day): days back from 2009-12-31. */
function dayOf(i: number): string {
  // Far enough back that no seeded arrears fall on these days.
  return new Date(Date.UTC(2009, 11, 31) - Math.floor(i / 1_000) * 86_400_000).toISOString().slice(0, 10);
}

/** Writes one body per line for `count` distinct writes of `agency`, numbered from `from`, and its officer's token. */
async function writeBodies(options: EventsBenchOptions, agency: Agency, run: string, from: number, count: number): Promise<{ bodyFile: string; tokensFile: string }> {
  const write = WRITES[agency];
  const lines: string[] = [];
  const today = chinaDate(new Date());
  for (let i = from; i < from + count; i++) {
    // Decided today: a penalty decided long ago may be past its period, and no longer told to the watcher.
    const decision = { authority: `${write.agency} 基准测试机关`, documentNo: `BENCH-${run}-${i}`, legalBasis: '基准测试', decidedOn: today };
    lines.push(JSON.stringify({ query: write.query, variables: { i: write.input(options.code(i), i), d: decision, k: `bench-${run}-${i}` } }));
  }
  const bodyFile = path.join(options.work, `writes-${agency}.txt`);
  writeFileSync(bodyFile, `${lines.join('\n')}\n`);
  const token = await options.mintToken({ sub: `bench-${agency}-officer`, agency: write.agency, roles: ['officer'], purposes: [write.purpose], region: '100000' });
  const tokensFile = path.join(options.work, `writes-${agency}-token.txt`);
  writeFileSync(tokensFile, `${token}\n`);
  return { bodyFile, tokensFile };
}

/** Runs the load generator on the load core, without blocking this process (a Watch is being read meanwhile). */
function load(options: EventsBenchOptions, bodyFile: string, tokensFile: string, purpose: string, mode: { concurrency: number } | { rate: number }, seconds: number): Promise<LoadFigures> {
  const args = ['-c', options.loadCore, options.loadgen, '-url', options.gatewayUrl, '-body', bodyFile, '-duration', `${seconds}s`, '-tokens', tokensFile, '-purpose', purpose];
  if ('concurrency' in mode) args.push('-concurrency', String(mode.concurrency));
  else args.push('-rate', String(mode.rate));
  return new Promise((resolve, reject) => {
    const child = spawn('taskset', args, { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString('utf8')));
    child.on('error', reject);
    child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out) as LoadFigures) : reject(new Error(`the load generator exited with ${code}`))));
  });
}

/** The machine's CPU time spent so far, every core and process, in ms (/proc/stat: all but idle and I/O wait). */
function busyMs(): number {
  const fields = readFileSync('/proc/stat', 'utf8').split('\n')[0]!.trim().split(/\s+/).slice(1).map(Number);
  const [user = 0, nice = 0, system = 0, , , irq = 0, softirq = 0, steal = 0] = fields;
  // USER_HZ is 100 on Linux: a tick is 10 ms.
  return (user + nice + system + irq + softirq + steal) * 10;
}

/** The value at quantile `q` of `sorted`. */
function quantile(sorted: readonly number[], q: number): number {
  if (sorted.length === 0) return Number.NaN;
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
}

const median = (values: readonly number[]) =>
  quantile(
    [...values].sort((a, b) => a - b),
    0.5,
  );
const round = (n: number, digits = 2) => Math.round(n * 10 ** digits) / 10 ** digits;

/**
 * Puts the benchmark's agency databases back to what the seed wrote: every entry version a write
 * made, and the writes, events and measures themselves, are removed (they are the benchmark's own
 * databases). Without it a run would meet the arrears an earlier run recorded on the same days.
 */
async function removeEarlierWrites(databaseUrls: Readonly<Record<string, string>>): Promise<void> {
  for (const agency of AGENCIES) {
    const client = new pg.Client({ connectionString: databaseUrls[agency] });
    await client.connect();
    try {
      const tables = (await client.query<{ table_name: string }>("SELECT table_name FROM information_schema.columns WHERE column_name = 'write_id' AND table_schema = 'public'")).rows;
      for (const { table_name: table } of tables) {
        if (table === 'credit_writes') continue;
        await client.query(`DELETE FROM ${table} WHERE write_id IS NOT NULL`);
        await client.query(`UPDATE ${table} SET superseded_at = NULL WHERE superseded_at IS NOT NULL`);
      }
      await client.query('TRUNCATE credit_writes, credit_outbox, joint_measures, joint_responses');
    } finally {
      await client.end();
    }
  }
}

/** Measures the write path and the credit events (see the header). */
export async function measureEvents(options: EventsBenchOptions): Promise<EventsFigures> {
  await removeEarlierWrites(options.databaseUrls);
  const run = Date.now().toString(36);
  const { seconds, log } = options;
  const rate = options.writeRate ?? 200;
  // Enough distinct writes for every run below: no body is sent twice (a second send would be a replay).
  const perRun = Math.max(20_000, rate * seconds * 2);
  let next = 0;
  const bodies = async (agency: Agency, count: number) => {
    const files = await writeBodies(options, agency, run, next, count);
    next += count;
    return files;
  };

  log('  writes per second, each agency closed-loop:');
  const writesPerSecond = {} as Record<Agency, { rps: number; p50Ms: number; p99Ms: number; failed: number }>;
  for (const agency of AGENCIES) {
    const files = await bodies(agency, perRun);
    const r = await load(options, files.bodyFile, files.tokensFile, WRITES[agency].purpose, { concurrency: Math.min(options.concurrency, 20) }, seconds);
    writesPerSecond[agency] = { rps: round(r.rps, 1), p50Ms: round(r.p50Ms), p99Ms: round(r.p99Ms), failed: r.failed };
    log(`    ${agency.padEnd(8)} ${round(r.rps, 1)} writes/s, p50 ${round(r.p50Ms)} ms, p99 ${round(r.p99Ms)} ms${r.failed > 0 ? `, ${r.failed} failed (${r.firstError ?? ''})` : ''}`);
  }

  // An approval system watches the penalties as they are recorded.
  const { proto } = loadEventsProto();
  const client = new proto.meg.events.v1.CreditEventService(options.grpcAddress, grpc.credentials.createInsecure());
  const watcher = await options.mintToken({ sub: 'bench-watcher', agency: 'PROCUREMENT_CENTRE', roles: ['approval-system'], purposes: ['PUBLIC_PROCUREMENT'] });
  const metadata = new grpc.Metadata();
  metadata.set('authorization', `Bearer ${watcher}`);
  metadata.set('x-purpose', 'PUBLIC_PROCUREMENT');
  // Each penalty's arrival on the stream itself (a plain subscriber of the benchmark's own) and on Watch.
  const streamedAt = new Map<string, number>();
  let deliveries: { id: string; occurred: number; arrived: number }[] = [];
  let watching = false;
  const nc = await connect({ servers: options.natsUrl, name: 'bench-events-timing' });
  nc.subscribe('meg.credit.market.penalty_recorded', {
    callback: (error, message) => {
      if (!error && watching) streamedAt.set(message.json<{ id: string }>().id, Date.now());
    },
  });
  const call = client.watch({ kinds: ['penalty_recorded'], newOnly: true }, metadata);
  call.on('data', (event: CreditEvent__Output) => {
    if (watching) deliveries.push({ id: event.id, occurred: Date.parse(event.occurredAt), arrived: Date.now() });
  });
  call.on('error', () => undefined);
  await new Promise((r) => setTimeout(r, 1_000));
  /** The delays of what was delivered since the last call, whole and by leg; then forgets them. */
  const delays = () => {
    const whole = deliveries.map((d) => d.arrived - d.occurred).sort((a, b) => a - b);
    const timed = deliveries.filter((d) => streamedAt.has(d.id));
    const toStream = timed.map((d) => streamedAt.get(d.id)! - d.occurred).sort((a, b) => a - b);
    const toWatch = timed.map((d) => d.arrived - streamedAt.get(d.id)!).sort((a, b) => a - b);
    const legs: DeliveryLegs = { toStreamP50Ms: quantile(toStream, 0.5), toStreamP99Ms: quantile(toStream, 0.99), toWatchP50Ms: quantile(toWatch, 0.5), toWatchP99Ms: quantile(toWatch, 0.99) };
    deliveries = [];
    streamedAt.clear();
    return { whole, legs };
  };
  const legsLine = (l: DeliveryLegs) => `commit to stream p50 ${l.toStreamP50Ms} ms, p99 ${l.toStreamP99Ms} ms; stream to Watch p50 ${l.toWatchP50Ms} ms, p99 ${l.toWatchP99Ms} ms`;

  // First the writes alone: the delay the write path itself adds, and what a write costs the
  // machine, with nothing else on it.
  let quiet: EventsFigures['deliveryWithoutReads'];
  {
    const files = await bodies('market', rate * seconds * 2);
    const idle = busyMs();
    await new Promise((r) => setTimeout(r, 2_000));
    const idleMsPerSecond = (busyMs() - idle) / 2;
    const before = busyMs();
    const partsBefore = options.cpuSeconds();
    const startedAt = Date.now();
    watching = true;
    const writes = await load(options, files.bodyFile, files.tokensFile, WRITES.market.purpose, { rate }, seconds);
    await new Promise((r) => setTimeout(r, 2_000));
    watching = false;
    const spent = busyMs() - before - (idleMsPerSecond * (Date.now() - startedAt)) / 1_000;
    const partsAfter = options.cpuSeconds();
    const perWrite = (ms: number) => round(ms / Math.max(1, writes.ok));
    const byPart: Record<string, number> = {};
    for (const [part, after] of Object.entries(partsAfter)) byPart[part] = perWrite((after - (partsBefore[part] ?? 0)) * 1_000);
    byPart['rest'] = round(perWrite(spent) - Object.values(byPart).reduce((a, b) => a + b, 0));
    const { whole, legs } = delays();
    quiet = { written: writes.ok, delivered: whole.length, p50Ms: quantile(whole, 0.5), p99Ms: quantile(whole, 0.99), legs, cpuMsPerWrite: perWrite(spent), cpuMsPerWriteByPart: byPart };
    log(`  commit to Watch at ${rate} writes/s alone: p50 ${quiet.p50Ms} ms, p99 ${quiet.p99Ms} ms (${quiet.delivered} of ${quiet.written} delivered); ${legsLine(legs)}`);
    log(
      `  each write costs the machine ${quiet.cpuMsPerWrite} ms of CPU, ${round((quiet.cpuMsPerWrite * rate) / 10, 1)}% of one core at ${rate}/s: ${Object.entries(byPart)
        .map(([part, ms]) => `${part} ${ms}`)
        .join(', ')} (rest: the load generator, the watching client, the system)`,
    );
  }

  log(`  reads of the profile closed-loop, alone and beside ${rate} penalties/s, ${options.rounds} rounds:`);
  const aloneRps: number[] = [];
  const besideRps: number[] = [];
  let writesFailed = 0;
  let written = 0;
  const besideDelays: number[] = [];
  const besideLegs: DeliveryLegs[] = [];
  for (let round_ = 0; round_ < options.rounds; round_++) {
    const alone = await load(options, options.reads.bodyFile, options.reads.tokensFile, options.reads.purpose, { concurrency: options.concurrency }, seconds);
    aloneRps.push(round(alone.rps, 1));
    const files = await bodies('market', rate * seconds * 2);
    watching = true;
    const [beside, writes] = await Promise.all([
      load(options, options.reads.bodyFile, options.reads.tokensFile, options.reads.purpose, { concurrency: options.concurrency }, seconds),
      load(options, files.bodyFile, files.tokensFile, WRITES.market.purpose, { rate }, seconds),
    ]);
    // The last events of the round arrive a moment after their writes.
    await new Promise((r) => setTimeout(r, 1_000));
    watching = false;
    const { whole, legs } = delays();
    besideDelays.push(...whole);
    besideLegs.push(legs);
    besideRps.push(round(beside.rps, 1));
    writesFailed += writes.failed;
    written += writes.ok;
    log(
      `    round ${round_ + 1}: alone ${round(alone.rps, 1)} req/s, beside writes ${round(beside.rps, 1)} req/s (${round(beside.rps / alone.rps)}), ${writes.ok} written${writes.failed > 0 ? `, ${writes.failed} failed (${writes.firstError ?? ''})` : ''}`,
    );
  }
  call.cancel();
  client.close();
  await nc.close();
  const sorted = besideDelays.sort((a, b) => a - b);
  // The legs of the median round.
  const legs = [...besideLegs].sort((a, b) => a.toStreamP99Ms + a.toWatchP99Ms - (b.toStreamP99Ms + b.toWatchP99Ms))[Math.floor(besideLegs.length / 2)]!;
  const delivery = { writeRate: rate, written, delivered: sorted.length, p50Ms: quantile(sorted, 0.5), p99Ms: quantile(sorted, 0.99), maxMs: sorted.at(-1) ?? Number.NaN, legs };
  log(
    `  commit to Watch at ${rate} writes/s with reads beside: p50 ${delivery.p50Ms} ms, p99 ${delivery.p99Ms} ms, max ${delivery.maxMs} ms (${delivery.delivered} of ${written} delivered); median round: ${legsLine(legs)}`,
  );
  const ratio = round(median(besideRps.map((b, i) => b / aloneRps[i]!)), 3);
  log(`  reads beside writes / reads alone: ${ratio} (median of the rounds)`);
  return { writesPerSecond, delivery, deliveryWithoutReads: quiet, readsBesideWrites: { aloneRps, besideRps, ratio, writesFailed } };
}
