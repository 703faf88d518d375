/**
 * Readiness: whether this gateway can answer. That is its own state — the policy loaded, the
 * access log taking writes (a request whose record cannot be written is refused, so without it
 * every request fails), and not draining. The agencies' state is reported beside it, not folded
 * in: an agency's outage blanks that agency's fields only, and a load balancer that took the
 * gateway out of service for it would take every other agency's data with it.
 */
import http from 'node:http';
import { logger } from '../platform/observability/logger.js';

/** Each agency's readiness, as its subgraph's /readyz reports it. */
export type SubgraphReadiness = Record<string, { ready: boolean; detail: string }>;

/** What /readyz answers. */
export interface ReadinessReport {
  readonly status: 'ready' | 'not ready' | 'draining';
  readonly policy: { readonly loaded: true; readonly revision: string };
  readonly audit: { readonly writable: boolean; readonly detail: string };
  readonly subgraphs: SubgraphReadiness;
}

/** Options of {@link createReadiness}. */
export interface ReadinessOptions {
  readonly policyRevision: string;
  /** Resolves when the access log took a write; rejects with why not. */
  readonly probeAudit: () => Promise<void>;
  readonly subgraphUrls: Readonly<Record<string, string>>;
  readonly draining: () => boolean;
  /** How long a report is reused: probes write to the log, and /readyz is on the public port. */
  readonly cacheMs?: number;
}

/** The readiness check of a gateway: a report, reused for {@link ReadinessOptions.cacheMs} (1 s). */
export function createReadiness(options: ReadinessOptions): () => Promise<ReadinessReport> {
  let cached: { at: number; report: Promise<Omit<ReadinessReport, 'status'>> } | null = null;
  const check = async (): Promise<Omit<ReadinessReport, 'status'>> => {
    const [audit, subgraphs] = await Promise.all([
      options.probeAudit().then(
        () => ({ writable: true, detail: 'the access log takes writes' }),
        (error: unknown) => {
          // The cause (a driver's words, a host name) is for the log: /readyz is on the public port.
          logger().error({ event: 'access log not writable', error: String(error) });
          return { writable: false, detail: 'the access log cannot be written' };
        },
      ),
      checkSubgraphs(options.subgraphUrls),
    ]);
    return { policy: { loaded: true, revision: options.policyRevision }, audit, subgraphs };
  };
  return async () => {
    const now = performance.now();
    if (!cached || now - cached.at > (options.cacheMs ?? 1_000)) cached = { at: now, report: check() };
    const report = await cached.report;
    // Draining is said at once, not a second late: the load balancer must stop sending first.
    const status = options.draining() ? 'draining' : report.audit.writable ? 'ready' : 'not ready';
    return { status, ...report };
  };
}

/** Asks every subgraph's /readyz, in parallel, each within `timeoutMs`. */
export async function checkSubgraphs(urls: Readonly<Record<string, string>>, timeoutMs = 2_000): Promise<SubgraphReadiness> {
  const entries = await Promise.all(Object.entries(urls).map(async ([agency, url]) => [agency, await probe(new URL('/readyz', url), timeoutMs)] as const));
  return Object.fromEntries(entries);
}

function probe(url: URL, timeoutMs: number): Promise<{ ready: boolean; detail: string }> {
  return new Promise((resolve) => {
    const req = http.get(url, { timeout: timeoutMs, agent: false }, (res) => {
      res.resume();
      resolve({ ready: res.statusCode === 200, detail: `HTTP ${res.statusCode}` });
    });
    req.on('timeout', () => req.destroy(new Error(`no answer within ${timeoutMs} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) => resolve({ ready: false, detail: error.code ?? error.message }));
  });
}
