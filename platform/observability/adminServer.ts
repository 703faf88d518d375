/**
 * The admin port every process has beside its public one: GET /metrics (the process registry in
 * Prometheus text), GET /healthz (the process is up) and GET /readyz (it can answer, as the process
 * decides), nothing else. It listens on loopback by default (`MEG_ADMIN_HOST`), so what it tells is
 * for the host's own scraper and orchestrator, never for callers of the public port.
 *
 * Ports (see README, Configuration): `MEG_GATEWAY_ADMIN_PORT` 9400, and `MEG_<AGENCY>_ADMIN_PORT`
 * 9401–9404 for market, tax, social and customs, like the public 4000–4004; 0 lets the system
 * choose (tests).
 *
 * The gateway's part, in short:
 * ```ts
 * const admin = await startAdminServer({ host: adminHostFrom(env), port: portFrom(env, 'MEG_GATEWAY_ADMIN_PORT', GATEWAY_ADMIN_PORT), readiness });
 * …
 * await admin.stop(); // after the public listeners have closed, so that the drain can be watched
 * ```
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { Registry } from 'prom-client';
import { stringFrom } from '../config/env.js';
import { closeServer, listen, sendJson } from '../http/httpServer.js';
import { processRegistry } from './metrics.js';

type Env = Readonly<Record<string, string | undefined>>;

/** The gateway's admin port by default (its public one is 4000). */
export const GATEWAY_ADMIN_PORT = 9400;

/** `MEG_ADMIN_HOST` (default 127.0.0.1): the interface every admin port listens on. */
export function adminHostFrom(env: Env): string {
  return stringFrom(env, 'MEG_ADMIN_HOST', '127.0.0.1');
}

/** What /readyz reports: whether the process can answer, and details shown beside it (no secrets, no data). */
export interface Readiness {
  readonly ready: boolean;
  readonly detail?: Record<string, unknown>;
}

/** Options of {@link startAdminServer}. */
export interface AdminServerOptions {
  readonly host: string;
  /** 0 lets the system choose; the chosen one is in {@link AdminServer.url}. */
  readonly port: number;
  /** Asked on each GET /readyz; a throw counts as not ready. */
  readonly readiness: () => Promise<Readiness>;
  /** Whose metrics /metrics serves (default the process registry). */
  readonly registry?: Registry;
}

/** A running admin server. */
export interface AdminServer {
  /** Its base URL, e.g. `http://127.0.0.1:9401`. */
  readonly url: string;
  /** Stops it (a scrape under way is finished). */
  stop(): Promise<void>;
}

/** Starts an admin server; rejects when its port cannot be had. */
export async function startAdminServer(options: AdminServerOptions): Promise<AdminServer> {
  const registry = options.registry ?? processRegistry();
  const server = createServer((req, res) => {
    // One answer per connection: a scrape every few seconds gains nothing from keep-alive, and a
    // scraper's pooled connection closed by the server's idle timeout as it sends fails the scrape.
    res.setHeader('connection', 'close');
    answer(req, res, registry, options.readiness).catch(() => {
      if (!res.headersSent) sendJson(res, 500, { status: 'error' });
      else res.destroy();
    });
  });
  await listen(server, options.port, options.host);
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    url: `http://${options.host.includes(':') ? `[${options.host}]` : options.host}:${port}`,
    stop: () => closeServer(server, 2_000),
  };
}

/** The three routes the admin port serves. */
const ROUTES = new Set(['/metrics', '/healthz', '/readyz']);

async function answer(req: IncomingMessage, res: ServerResponse, registry: Registry, readiness: AdminServerOptions['readiness']): Promise<void> {
  const path = new URL(req.url ?? '/', 'http://admin').pathname;
  if (!ROUTES.has(path)) return sendJson(res, 404, { status: 'not found' });
  if (req.method !== 'GET' && req.method !== 'HEAD') return sendJson(res, 405, { status: 'method not allowed' }, { allow: 'GET, HEAD' });
  if (path === '/healthz') return sendJson(res, 200, { status: 'ok' });
  if (path === '/readyz') {
    let report: Readiness;
    try {
      report = await readiness();
    } catch {
      report = { ready: false };
    }
    return sendJson(res, report.ready ? 200 : 503, { status: report.ready ? 'ready' : 'not ready', ...report.detail });
  }
  const text = await registry.metrics();
  res.writeHead(200, { 'content-type': registry.contentType, 'content-length': Buffer.byteLength(text) });
  res.end(text);
}
