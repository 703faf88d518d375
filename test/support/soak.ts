/**
 * Load with faults: steady load on a federation of two gateway workers while one agency's
 * subgraph is killed and restarted, another agency's database is stopped and started, and a
 * gateway worker is killed. What must hold: the gateway keeps serving; errors name only the
 * agency that is down while it is down (and a short recovery after); it recovers without a
 * restart; every answered request has its audit record and every chain verifies.
 *
 * Used by the short soak in `make test` and the long one in `make reliability`.
 */
import pg from 'pg';
import { Agent, fetch } from 'undici';
import type { Agency } from '../../platform/domain/agencies.js';
import { auditCli, withAuditDatabase } from './audit.js';
import { CALLERS, headersFor } from './callers.js';
import { POSTGRES_ADMIN_URL, startFederation, testDatabasePrefix, type Federation } from './federation.js';
import { universe } from './universe.js';

/** What a soak run found. */
export interface SoakReport {
  readonly seconds: number;
  readonly requests: number;
  /** 200 with every agency's data. */
  readonly answered: number;
  /** 200 with the failing agency's fields null and an error naming it. */
  readonly partial: number;
  /** Connections cut by the killed worker (never answered, so never owed a record). */
  readonly cut: number;
  readonly faults: { readonly kind: string; readonly at: number; readonly recoveredAt: number }[];
  /** Anything that must not happen: 5xx, an error naming an agency that was not down, no recovery. */
  readonly violations: string[];
  /** Answered (or partial) requests without an audit record. */
  readonly missingRecords: number;
  readonly auditVerify: string;
}

const PROFILE = 'query($u: USCC!) { enterprise(uscc: $u) { uscc market { name } tax { creditRatings { rating } } social { insuredHeadcount } customs { creditLevel } } }';
/** How long after a fault ends its agency may still fail (breaker pause, reconnects). */
const RECOVERY_GRACE_MS = 6_000;

/** What a soak is doing, for the error when it overruns. */
interface Progress {
  phase: string;
}

/** How long a soak may take beyond its load before it fails, naming what it was still doing. */
const SOAK_OVERRUN_MS = 150_000;

/**
 * Runs a soak of `seconds` on a federation of its own (its own set of PostgreSQL databases, `databases`: see testDatabasePrefix).
 * Rejects, naming the step it was at, if it runs SOAK_OVERRUN_MS past its load.
 */
export async function runSoak(options: { seed: string; seconds: number; clients?: number; databases?: string }): Promise<SoakReport> {
  const progress: Progress = { phase: 'starting its federation' };
  const limitMs = options.seconds * 1000 + SOAK_OVERRUN_MS;
  let timer: NodeJS.Timeout | undefined;
  const overrun = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`the soak was still ${progress.phase} after ${limitMs / 1000} s`)), limitMs);
  });
  try {
    return await Promise.race([soakOnItsOwnFederation(options, progress), overrun]);
  } finally {
    clearTimeout(timer);
  }
}

async function soakOnItsOwnFederation(options: { seed: string; seconds: number; clients?: number; databases?: string }, progress: Progress): Promise<SoakReport> {
  const set = options.databases ?? 'soak';
  const prefix = testDatabasePrefix(set);
  const federation = await startFederation({
    backend: 'postgres',
    size: 300,
    seed: options.seed,
    databases: set,
    extraEnv: { MEG_GATEWAY_WORKERS: '2', MEG_SUBGRAPH_TIMEOUT_MS: '1000', MEG_BREAKER_COOLDOWN_MS: '1000' },
  });
  try {
    return await soak(federation, options.seed, options.seconds, options.clients ?? 8, prefix, progress);
  } finally {
    progress.phase = 'stopping its federation';
    await federation.stop();
  }
}

async function soak(federation: Federation, seed: string, seconds: number, clients: number, prefix: string, progress: Progress): Promise<SoakReport> {
  const codes = universe(seed, 300).map((e) => e.uscc);
  const headers = { 'content-type': 'application/json', ...(await headersFor(federation, CALLERS.creditSupervisor)) };
  const dispatcher = new Agent({ pipelining: 0 }); // a connection per request: both workers get load
  const started = Date.now();
  const faults: { kind: string; agency: Agency | null; at: number; recoveredAt: number }[] = [];
  const answeredIds: string[] = [];
  const violations: string[] = [];
  let requests = 0;
  let answered = 0;
  let partial = 0;
  let cut = 0;
  let stop = false;

  /** Agencies allowed to fail at time `t`: those faulted then, or recovering. */
  const excused = (t: number) => new Set(faults.filter((f) => t >= f.at && t <= (f.recoveredAt || Infinity) + RECOVERY_GRACE_MS).map((f) => f.agency));
  const workerFault = (t: number) => faults.some((f) => f.kind === 'gateway worker killed' && t >= f.at && t <= (f.recoveredAt || Infinity) + RECOVERY_GRACE_MS);

  const client = async (c: number) => {
    for (let i = 0; !stop; i++) {
      const sentAt = Date.now();
      requests++;
      let status: number;
      let body: { data?: { enterprise?: Record<string, unknown> | null } | null; errors?: { message: string; extensions?: Record<string, unknown> }[] };
      let requestId: string | null;
      try {
        const res = await fetch(federation.gatewayUrl, {
          method: 'POST',
          headers,
          body: JSON.stringify({ query: PROFILE, variables: { u: codes[(c * 53 + i) % codes.length] } }),
          dispatcher,
          signal: AbortSignal.timeout(5_000),
        });
        status = res.status;
        requestId = res.headers.get('x-request-id');
        body = (await res.json()) as typeof body;
      } catch (error) {
        if (workerFault(sentAt) || workerFault(Date.now())) cut++;
        else violations.push(`request at +${sentAt - started} ms failed with no worker down: ${(error as Error).message}`);
        continue;
      }
      const at = Date.now();
      if (status >= 500) {
        violations.push(`HTTP ${status} at +${at - started} ms: ${JSON.stringify(body).slice(0, 200)}`);
        continue;
      }
      if (!body.errors) {
        answered++;
        answeredIds.push(requestId!);
        continue;
      }
      const allowed = new Set([...excused(sentAt), ...excused(at)]);
      const strangers = body.errors.filter((e) => !allowed.has(e.extensions?.['service'] as Agency));
      if (strangers.length > 0 || !body.data?.enterprise?.['market']) {
        violations.push(`errors not confined to a failing agency at +${at - started} ms: ${JSON.stringify(body.errors).slice(0, 300)}`);
        continue;
      }
      partial++;
      answeredIds.push(requestId!);
    }
  };

  const pause = (ms: number) => new Promise((r) => setTimeout(r, ms));
  // Six half-slices of load: before, during and after each of the three faults.
  const slice = (seconds * 1000) / 3;
  const load = Array.from({ length: clients }, (_, c) => client(c));
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  progress.phase = 'connecting to PostgreSQL as its administrator';
  await admin.connect();
  try {
    progress.phase = 'under load before the first fault';
    await pause(slice / 2);
    // 1. An agency's subgraph crashes and comes back.
    const crash = { kind: 'subgraph killed and restarted', agency: 'tax' as Agency, at: Date.now(), recoveredAt: 0 };
    faults.push(crash);
    progress.phase = 'killing the tax subgraph';
    await federation.killAgency('tax');
    await pause(slice / 2);
    progress.phase = 'restarting the tax subgraph';
    await federation.startAgency('tax');
    crash.recoveredAt = Date.now();
    await pause(slice / 2);
    // 2. An agency's database stops accepting connections, then starts again.
    const database = { kind: 'database stopped and started', agency: 'social' as Agency, at: Date.now(), recoveredAt: 0 };
    faults.push(database);
    progress.phase = "stopping the social agency's database";
    await admin.query(`ALTER DATABASE ${prefix}_social WITH ALLOW_CONNECTIONS false`);
    await admin.query('SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = $1', [`${prefix}_social`]);
    await pause(slice / 2);
    progress.phase = "starting the social agency's database";
    await admin.query(`ALTER DATABASE ${prefix}_social WITH ALLOW_CONNECTIONS true`);
    database.recoveredAt = Date.now();
    await pause(slice / 2);
    // 3. A gateway worker dies; the other serves while the primary replaces it.
    const worker = { kind: 'gateway worker killed', agency: null, at: Date.now(), recoveredAt: 0 };
    faults.push(worker);
    const victim = federation.gatewayWorkerPids()[0];
    if (victim === undefined) violations.push('no gateway worker to kill');
    else process.kill(victim, 'SIGKILL');
    progress.phase = 'waiting for the killed gateway worker to be replaced';
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && (federation.gatewayWorkerPids().length < 2 || federation.gatewayWorkerPids().includes(victim!))) await pause(100);
    if (federation.gatewayWorkerPids().length < 2) violations.push('the killed gateway worker was not replaced within 30 s');
    worker.recoveredAt = Date.now();
    await pause(Math.max(slice / 2, RECOVERY_GRACE_MS + 1_000));
  } finally {
    stop = true;
    progress.phase = 'waiting for the last requests of the load';
    await Promise.all(load);
    await admin.query(`ALTER DATABASE ${prefix}_social WITH ALLOW_CONNECTIONS true`).catch(() => {});
    await admin.end();
  }

  // Recovered without a restart: the last requests of the run were answered in full.
  progress.phase = 'asking once more after the faults';
  // On a busy machine the replaced worker may still be starting: the gateway has 15 s more to answer.
  const recoveryDeadline = Date.now() + 15_000;
  let finalProblem: string | null = 'not asked';
  while (finalProblem !== null && Date.now() < recoveryDeadline) {
    try {
      const final = await fetch(federation.gatewayUrl, {
        method: 'POST',
        headers,
        body: JSON.stringify({ query: PROFILE, variables: { u: codes[0] } }),
        dispatcher,
        signal: AbortSignal.timeout(10_000),
      });
      const finalBody = (await final.json()) as { errors?: unknown[] };
      finalProblem = final.status !== 200 || finalBody.errors ? `HTTP ${final.status}: ${JSON.stringify(finalBody).slice(0, 300)}` : null;
    } catch (error) {
      finalProblem = String((error as Error).cause ?? error);
    }
    if (finalProblem !== null) await pause(500);
  }
  if (finalProblem !== null) violations.push(`not recovered 15 s after the faults: ${finalProblem}`);

  progress.phase = 'reading the audit log';
  const recorded = await withAuditDatabase(federation, async (c) => new Set((await c.query('SELECT request_id FROM audit_records')).rows.map((r) => r.request_id as string)));
  const missingRecords = answeredIds.filter((id) => !recorded.has(id)).length;
  progress.phase = 'verifying the audit chains';
  const auditVerify = auditCli(federation, 'verify').stdout.trim();
  if (!auditVerify.startsWith('intact:')) violations.push(`audit chains: ${auditVerify}`);
  return {
    seconds: Math.round((Date.now() - started) / 1000),
    requests,
    answered,
    partial,
    cut,
    faults: faults.map(({ kind, at, recoveredAt }) => ({ kind, at: at - started, recoveredAt: recoveredAt - started })),
    violations,
    missingRecords,
    auditVerify,
  };
}
