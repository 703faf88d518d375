/**
 * Runs a whole federation for tests: four subgraph processes and the gateway, from the compiled
 * `dist/`, on free ports, over PostgreSQL (a database per agency, created here) or PGlite in a
 * temporary folder, seeded with the synthetic universe.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { AGENCIES, AGENCY_CODES, type Agency } from '../../platform/domain/agencies.js';
import { projectRoot } from '../../platform/config/projectRoot.js';
import { ensureTokenIssuerKeys, TOKEN_ISSUER_KEY_FILE, TOKEN_ISSUER_PUBLIC_KEY_FILE } from '../../gateway/auth/tokens.js';
import { requestSigningKey } from '../../platform/trust/gatewaySignature.js';
import { ensureAnchorKeys, ensureMaskHashKey, ensureSigningKeys, MASK_HASH_KEY_FILE, readPrivateKey, readPublicKey, signingKeyFile, signingPublicKeyFile } from '../../platform/trust/keys.js';

/** The PostgreSQL server the machine runs. */
export const POSTGRES_ADMIN_URL = process.env['MEG_TEST_POSTGRES_URL'] ?? 'postgres://postgres@127.0.0.1:5432/postgres';

/** What tests need to know of a running federation (serialisable, for vitest's provide/inject). */
export interface FederationInfo {
  readonly gatewayUrl: string;
  readonly subgraphUrls: Record<Agency, string>;
  /** Each process's admin port (/metrics, /healthz, /readyz), as a base URL; the gateway's is reserved in MEG_GATEWAY_ADMIN_PORT. */
  readonly adminUrls: Record<Agency | 'gateway', string>;
  /** host:port of the JointReviewService. */
  readonly grpcAddress: string;
  readonly keysDir: string;
  readonly dataDir: string;
  readonly seed: string;
  readonly size: number;
  readonly backend: 'postgres' | 'pglite';
  readonly env: Record<string, string>;
}

/** The development token issuer's private key of a federation, for minting test tokens. */
export function issuerKeyFile(federation: Pick<FederationInfo, 'keysDir'>): string {
  return path.join(federation.keysDir, TOKEN_ISSUER_KEY_FILE);
}

/** The key the federation's gateway signs `agency`'s requests with, for tests that act as the gateway. */
export function gatewaySigningKey(federation: Pick<FederationInfo, 'keysDir'>, agency: Agency): Buffer {
  const gateway = readPrivateKey(path.join(federation.keysDir, signingKeyFile('gateway')));
  return requestSigningKey(gateway, readPublicKey(path.join(federation.keysDir, signingPublicKeyFile(agency))), agency);
}

/** A federation this test process started. */
export interface Federation extends FederationInfo {
  /** Stops one agency's subgraph (SIGTERM, waits for exit). */
  stopAgency(agency: Agency): Promise<void>;
  /** Kills one agency's subgraph outright (SIGKILL), as a crash would. */
  killAgency(agency: Agency): Promise<void>;
  /** Starts a stopped agency's subgraph again (with extra environment) and waits until it is ready. */
  startAgency(agency: Agency, extraEnv?: Record<string, string>): Promise<void>;
  /** The process ids of the gateway's cluster workers (none when it runs as one process). */
  gatewayWorkerPids(): number[];
  /** Stops the gateway with SIGTERM and resolves with its exit code. */
  stopGateway(): Promise<number | null>;
  /** Kills the gateway outright (SIGKILL), as a crash would, and resolves once it is gone. */
  killGateway(): Promise<void>;
  /** Stops everything and removes temporary files. */
  stop(): Promise<void>;
  /** Output of a process so far (for failure reports). */
  logs(name: string): string;
}

/**
 * The prefix of a federation's PostgreSQL databases (`<prefix>_market`, …, `<prefix>_audit`): the
 * checkout's (MEG_TEST_DATABASE_PREFIX, default meg_test), then the name of a test's own set. Every
 * set carries the checkout's prefix, so two checkouts running their suites on one server share none.
 */
export function testDatabasePrefix(set?: string): string {
  const checkout = process.env['MEG_TEST_DATABASE_PREFIX'] ?? 'meg_test';
  return set === undefined ? checkout : `${checkout}_${set}`;
}

/** Options of {@link startFederation}. */
export interface FederationOptions {
  readonly backend: 'postgres' | 'pglite';
  readonly size: number;
  readonly seed: string;
  /**
   * The federation's own set of PostgreSQL databases, named after the checkout's prefix (see
   * {@link testDatabasePrefix}); absent, the suite's shared set.
   */
  readonly databases?: string;
  readonly extraEnv?: Record<string, string>;
}

/** Starts a seeded federation and resolves when the gateway is ready. */
export async function startFederation(options: FederationOptions): Promise<Federation> {
  const dataDir = mkdtempSync(path.join(os.tmpdir(), 'meg-test-'));
  const keysDir = path.join(dataDir, 'keys');
  ensureSigningKeys(keysDir);
  ensureTokenIssuerKeys(keysDir);
  ensureMaskHashKey(keysDir);
  ensureAnchorKeys(keysDir);
  const ports = await Promise.all([0, 1, 2, 3, 4, 5, 6, 7].map(() => freePort()));
  // Admin ports: the gateway's, then the agencies' (no two federations may share the defaults).
  const adminPorts = await Promise.all([0, 1, 2, 3, 4].map(() => freePort()));
  const env: Record<string, string> = {
    MEG_DATA_DIR: dataDir,
    // The request-signing pairs of the gateway and the agencies are found under MEG_DATA_DIR/keys.
    MEG_GATEWAY_PORT: String(ports[0]),
    MEG_GRPC_PORT: String(ports[6]),
    MEG_GATEWAY_ADMIN_PORT: String(adminPorts[0]),
    MEG_TOKEN_PUBLIC_KEY: path.join(keysDir, TOKEN_ISSUER_PUBLIC_KEY_FILE),
    MEG_MASK_HASH_KEY: path.join(keysDir, MASK_HASH_KEY_FILE),
    // Tests call as a few principals from one address, faster than any person would: rate
    // limits are tested on their own (test/hardening/rateLimit.test.ts), with their own settings.
    MEG_RATE_LIMIT_PER_SECOND: '100000',
    MEG_RATE_LIMIT_BURST: '100000',
    MEG_PUBLIC_RATE_LIMIT_PER_SECOND: '100000',
    MEG_PUBLIC_RATE_LIMIT_BURST: '100000',
    MEG_REFUSAL_RATE_LIMIT_PER_SECOND: '100000',
    MEG_REFUSAL_RATE_LIMIT_BURST: '100000',
    // The agencies' schedulers act on the passing of time: off, so that a federation's data stays as
    // seeded whatever the day; the tests of time turn them on, with a clock of their own (test/time).
    MEG_SCHEDULER_INTERVAL_SECONDS: '0',
    ...options.extraEnv,
  };
  const subgraphUrls = {} as Record<Agency, string>;
  const adminUrls = { gateway: `http://127.0.0.1:${adminPorts[0]}` } as Record<Agency | 'gateway', string>;
  AGENCIES.forEach((agency, i) => {
    const code = AGENCY_CODES[agency];
    env[`MEG_${code}_PORT`] = String(ports[i + 1]);
    env[`MEG_${code}_URL`] = subgraphUrls[agency] = `http://127.0.0.1:${ports[i + 1]}/graphql`;
    env[`MEG_${code}_ADMIN_PORT`] = String(adminPorts[i + 1]);
    adminUrls[agency] = `http://127.0.0.1:${adminPorts[i + 1]}`;
  });
  if (options.backend === 'postgres') {
    const prefix = testDatabasePrefix(options.databases);
    for (const [agency, url] of Object.entries(await createAgencyDatabases(prefix))) env[`DATABASE_URL_${AGENCY_CODES[agency as Agency]}`] = url;
    env['DATABASE_URL_AUDIT'] = (await createDatabases([`${prefix}_audit`]))[0]!;
  }

  const processes = new Map<string, { child: ChildProcess; output: string[] }>();
  const spawnNode = (name: string, script: string, args: string[] = [], extraEnv: Record<string, string> = {}) => {
    const child = spawn(process.execPath, [path.join(projectRoot, 'dist', script), ...args], {
      env: { ...process.env, ...env, ...extraEnv },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const output: string[] = [];
    child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
    child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
    processes.set(name, { child, output });
    return child;
  };

  const seeding = spawnNode('seed', 'scripts/seed.js', ['--size', String(options.size), '--seed', options.seed]);
  const seedExit = await exitOf(seeding);
  if (seedExit !== 0) throw new Error(`seeding failed (${seedExit}):\n${processes.get('seed')!.output.join('')}`);

  for (const agency of AGENCIES) spawnNode(agency, `subgraphs/${agency}/index.js`);
  spawnNode('gateway', 'gateway/index.js');
  const gatewayUrl = `http://127.0.0.1:${ports[0]}/graphql`;
  // Ready, or why not: a process that exits on the way (a port taken, a bad setting) is reported at
  // once with every process's output, rather than after the whole wait.
  const readyBy = Date.now() + 120_000;
  for (;;) {
    const exited = [...processes].find(([name, p]) => name !== 'seed' && (p.child.exitCode !== null || p.child.signalCode !== null));
    const problem = exited
      ? `the ${exited[0]} process exited (${exited[1].child.exitCode ?? exited[1].child.signalCode}) before the federation was ready`
      : Date.now() > readyBy
        ? 'the federation did not become ready within 120 s'
        : null;
    if (problem !== null) {
      const logs = [...processes].map(([n, p]) => `--- ${n}\n${p.output.join('')}`).join('\n');
      for (const { child } of processes.values()) child.kill('SIGKILL');
      throw new Error(`${problem}:\n${logs}`);
    }
    // The gateway's readiness is its own (an agency's outage does not unready it): every process is asked.
    const urls = [gatewayUrl, ...Object.values(subgraphUrls)];
    if (
      (
        await Promise.all(
          urls.map((url) =>
            fetch(new URL('/readyz', url)).then(
              (r) => r.ok,
              () => false,
            ),
          ),
        )
      ).every(Boolean)
    )
      break;
    await new Promise((r) => setTimeout(r, 200));
  }

  const stopProcess = async (name: string): Promise<number | null> => {
    const p = processes.get(name);
    if (!p || p.child.exitCode !== null || p.child.signalCode !== null) return p?.child.exitCode ?? null;
    p.child.kill('SIGTERM');
    const timer = setTimeout(() => p.child.kill('SIGKILL'), 15_000);
    const code = await exitOf(p.child);
    clearTimeout(timer);
    return code;
  };

  return {
    gatewayUrl,
    subgraphUrls,
    adminUrls,
    grpcAddress: `127.0.0.1:${ports[6]}`,
    keysDir,
    dataDir,
    seed: options.seed,
    size: options.size,
    backend: options.backend,
    env,
    stopAgency: async (agency) => void (await stopProcess(agency)),
    killAgency: async (agency) => {
      const p = processes.get(agency)!;
      p.child.kill('SIGKILL');
      await exitOf(p.child);
    },
    startAgency: async (agency, extraEnv = {}) => {
      const p = processes.get(agency);
      if (p && p.child.exitCode === null && p.child.signalCode === null) throw new Error(`${agency} is still running`);
      spawnNode(agency, `subgraphs/${agency}/index.js`, [], extraEnv);
      await waitUntil(async () => (await fetch(new URL('/readyz', subgraphUrls[agency]))).ok, 30_000);
    },
    gatewayWorkerPids: () => {
      try {
        return execFileSync('pgrep', ['-P', String(processes.get('gateway')!.child.pid)], { encoding: 'utf8' })
          .trim()
          .split('\n')
          .filter(Boolean)
          .map(Number);
      } catch {
        return []; // pgrep exits 1 when there are none
      }
    },
    stopGateway: () => stopProcess('gateway'),
    killGateway: async () => {
      const p = processes.get('gateway')!;
      p.child.kill('SIGKILL');
      await exitOf(p.child);
    },
    async stop() {
      await Promise.all([...processes.keys()].map(stopProcess));
      rmSync(dataDir, { recursive: true, force: true });
    },
    logs: (name) => processes.get(name)?.output.join('') ?? '',
  };
}

/** (Re)creates one empty PostgreSQL database per agency and returns their URLs. */
export async function createAgencyDatabases(prefix: string): Promise<Record<Agency, string>> {
  const urls = await createDatabases(AGENCIES.map((agency) => `${prefix}_${agency}`));
  return Object.fromEntries(AGENCIES.map((agency, i) => [agency, urls[i]!])) as Record<Agency, string>;
}

/** (Re)creates empty PostgreSQL databases and returns their URLs. */
export async function createDatabases(names: readonly string[]): Promise<string[]> {
  const admin = new pg.Client({ connectionString: POSTGRES_ADMIN_URL });
  await admin.connect();
  try {
    const urls: string[] = [];
    for (const name of names) {
      await admin.query(`DROP DATABASE IF EXISTS ${name} WITH (FORCE)`);
      await admin.query(`CREATE DATABASE ${name}`);
      const url = new URL(POSTGRES_ADMIN_URL);
      url.pathname = `/${name}`;
      urls.push(url.toString());
    }
    return urls;
  } finally {
    await admin.end();
  }
}

/** A TCP port free at the moment of asking. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/** Polls `check` until it returns true (errors count as false). */
export async function waitUntil(check: () => Promise<boolean>, timeoutMs: number, intervalMs = 200): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await check()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((r) => setTimeout(r, intervalMs));
  }
}

function exitOf(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}
