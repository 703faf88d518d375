/** Whether every agency's subgraph answers: the gateway is ready only then. */
import http from 'node:http';

/** Each agency's readiness, as its subgraph's /readyz reports it. */
export type SubgraphReadiness = Record<string, { ready: boolean; detail: string }>;

/** Asks every subgraph's /readyz, in parallel, each within `timeoutMs`. */
export async function checkSubgraphs(urls: Readonly<Record<string, string>>, timeoutMs = 2_000): Promise<SubgraphReadiness> {
  const entries = await Promise.all(
    Object.entries(urls).map(async ([agency, url]) => [agency, await probe(new URL('/readyz', url), timeoutMs)] as const),
  );
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
