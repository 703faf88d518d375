/**
 * A NATS server with JetStream as a child process: what `make start` runs when no cluster is named
 * (MEG_NATS_URL), and what each test run starts for itself so that runs never share a stream.
 *
 * The binary is the pinned `nats-server` that `make` builds with `go install` into the project's
 * tools (MEG_NATS_SERVER names it; the Makefile passes it on). The server listens on loopback
 * only, on the port asked for or on one the system chooses (it says which in a ports file, read
 * here), and keeps JetStream's file store under `storeDir`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { projectRoot } from '../config/projectRoot.js';

/** The pinned server's version: the Makefile's NATS_SERVER_VERSION, which builds it. */
export const NATS_SERVER_VERSION = 'v2.15.2';

/** Where the pinned server is: MEG_NATS_SERVER, else the project's tools folder. */
export function natsServerBinary(env: Readonly<Record<string, string | undefined>> = process.env): string {
  return env['MEG_NATS_SERVER'] ?? path.join(projectRoot, `.tools/nats-server-${NATS_SERVER_VERSION}/nats-server`);
}

/** Options of {@link startNatsServer}. */
export interface NatsServerOptions {
  /** JetStream's file store (created if missing); the ports file goes there too. */
  readonly storeDir: string;
  /** The client port; 0 (the default) lets the system choose one. */
  readonly port?: number;
  /** The server binary (default {@link natsServerBinary}). */
  readonly binary?: string;
  /** How long to wait for the server to listen (default 15 s). */
  readonly readyTimeoutMs?: number;
}

/** A running server. */
export interface NatsServer {
  /** `nats://127.0.0.1:<port>`. */
  readonly url: string;
  readonly process: ChildProcess;
  /** Stops the server (SIGTERM: JetStream flushes its store) and waits for it to exit. */
  stop(): Promise<void>;
}

/** Starts a server and resolves once it listens; rejects with the server's own words if it cannot. */
export async function startNatsServer(options: NatsServerOptions): Promise<NatsServer> {
  const binary = options.binary ?? natsServerBinary();
  if (!existsSync(binary)) throw new Error(`there is no nats-server at ${binary}: make builds the pinned one (make .tools/nats-server-${NATS_SERVER_VERSION}/nats-server)`);
  mkdirSync(options.storeDir, { recursive: true });
  const portsDir = path.join(options.storeDir, 'ports');
  mkdirSync(portsDir, { recursive: true });
  const port = options.port ?? 0;
  const child = spawn(binary, ['-a', '127.0.0.1', '-p', port === 0 ? '-1' : String(port), '-js', '-sd', options.storeDir, '--ports_file_dir', portsDir], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  // A binary that cannot be run (no permission, not a program) is an 'error' event, not an exit.
  let failed: Error | null = null;
  child.once('error', (error) => void (failed = error));
  let said = '';
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    // The last few lines, for an error that says why it did not start.
    said = (said + chunk).slice(-4000);
  });
  const exited = new Promise<void>((resolve) => {
    child.once('exit', () => resolve());
    child.once('error', () => resolve());
  });
  // This process ending takes its server with it (a test run, a make start stopped).
  const orphaned = () => child.kill('SIGKILL');
  process.once('exit', orphaned);
  const stop = async (): Promise<void> => {
    process.removeListener('exit', orphaned);
    if (child.exitCode === null && child.signalCode === null && child.pid !== undefined) {
      child.kill('SIGTERM');
      // JetStream flushes its store on SIGTERM; one that does not end in time is killed.
      const hard = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(hard);
    }
  };
  const timeoutMs = options.readyTimeoutMs ?? 15_000;
  const deadline = Date.now() + timeoutMs;
  try {
    for (;;) {
      if (failed) throw new Error(`nats-server at ${binary} cannot be run: ${(failed as Error).message}`);
      if (child.exitCode !== null || child.signalCode !== null) throw new Error(`nats-server exited before it listened: ${said.trim() || `exit ${child.exitCode ?? child.signalCode}`}`);
      const url = child.pid === undefined ? null : listening(portsDir, child.pid);
      if (url && said.includes('Server is ready')) return { url, process: child, stop };
      if (Date.now() > deadline) throw new Error(`nats-server did not listen within ${timeoutMs} ms: ${said.trim()}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  } catch (error) {
    await stop();
    throw error;
  }
}

/** The client URL a server wrote in its ports file (`<name>_<pid>.ports`), once it has. */
function listening(portsDir: string, pid: number): string | null {
  const file = readdirSync(portsDir).find((name) => name.endsWith(`_${pid}.ports`));
  if (!file) return null;
  try {
    const ports = JSON.parse(readFileSync(path.join(portsDir, file), 'utf8')) as { nats?: string[] };
    return ports.nats?.[0] ?? null;
  } catch {
    // Being written: read again on the next turn.
    return null;
  }
}
