/**
 * A gateway process of its own over a running federation's agencies: for tests of one gateway's
 * life (its access log in a folder of its own, a crash, a second writer) without starting agencies.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { cpSync, mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../platform/config/projectRoot.js';
import { freePort, waitUntil, type FederationInfo } from './federation.js';

/** A gateway this test started. */
export interface GatewayProcess {
  readonly url: string;
  readonly grpcAddress: string;
  /** Its admin port (/metrics, /healthz, /readyz). */
  readonly adminUrl: string;
  /** Its data folder (the embedded access log is `audit/` in it, the anchors `audit-anchors/`). */
  readonly dataDir: string;
  /** The environment it runs with, for the command line over the same folder. */
  readonly env: Record<string, string>;
  readonly child: ChildProcess;
  /** What it printed so far. */
  output(): string;
  /** Resolves with its exit code when it exits by itself. */
  exited(): Promise<number | null>;
  /** SIGTERM; resolves with its exit code. */
  stop(): Promise<number | null>;
  /** SIGKILL, as a crash would; resolves once it is gone. */
  kill(): Promise<void>;
}

/** Options of {@link startGatewayProcess}. */
export interface GatewayProcessOptions {
  /** Its data folder; a new one (with the federation's keys) by default. */
  readonly dataDir?: string;
  /** Keep the access log in PGlite under the data folder rather than the federation's PostgreSQL. */
  readonly embeddedAuditLog?: boolean;
  readonly extraEnv?: Record<string, string>;
  /** Node options before the script (a preload, say). */
  readonly nodeArgs?: readonly string[];
  /** Resolve once it is ready (default), or as soon as it is spawned. */
  readonly waitReady?: boolean;
}

/** Starts a gateway over `federation`'s agencies on ports of its own. */
export async function startGatewayProcess(federation: FederationInfo, options: GatewayProcessOptions = {}): Promise<GatewayProcess> {
  const dataDir = options.dataDir ?? mkdtempSync(path.join(os.tmpdir(), 'meg-gateway-'));
  if (!options.dataDir) cpSync(federation.keysDir, path.join(dataDir, 'keys'), { recursive: true });
  const [port, grpcPort, adminPort] = await Promise.all([freePort(), freePort(), freePort()]);
  const env: Record<string, string> = {
    ...federation.env,
    MEG_DATA_DIR: dataDir,
    MEG_GATEWAY_PORT: String(port),
    MEG_GRPC_PORT: String(grpcPort),
    MEG_GATEWAY_ADMIN_PORT: String(adminPort),
    ...options.extraEnv,
  };
  if (options.embeddedAuditLog) delete env['DATABASE_URL_AUDIT'];
  const output: string[] = [];
  const child = spawn(process.execPath, [...(options.nodeArgs ?? []), path.join(projectRoot, 'dist/gateway/index.js')], {
    cwd: projectRoot,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  child.stdout.on('data', (d: Buffer) => output.push(d.toString()));
  child.stderr.on('data', (d: Buffer) => output.push(d.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}/graphql`;
  if (options.waitReady !== false) {
    await waitUntil(async () => child.exitCode !== null || (await fetch(new URL('/readyz', url))).ok, 60_000).catch(() => child.kill('SIGKILL'));
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`the gateway did not become ready (${child.exitCode ?? child.signalCode}):\n${output.join('')}`);
  }
  return {
    url,
    grpcAddress: `127.0.0.1:${grpcPort}`,
    adminUrl: `http://127.0.0.1:${adminPort}`,
    dataDir,
    env,
    child,
    output: () => output.join(''),
    exited: () => exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exited;
    },
    kill: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      await exited;
    },
  };
}
