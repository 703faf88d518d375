/**
 * The data source against a real HTTP server standing in for an agency that drops connections:
 * queries are retried once within the budget, mutations never, and failures name the agency.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { SignedSubgraphSource, SubgraphWait } from './subgraphFetcher.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => new Promise((r) => s.close(r))));
});

/** A server that cuts the first `drops` connections and then answers. */
async function flakyAgency(drops: number): Promise<{ url: string; received: () => number }> {
  let received = 0;
  const server = createServer((req, res) => {
    received++;
    if (received <= drops) return void req.socket.destroy();
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ data: { ok: true } }));
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, received: () => received };
}

function source(url: string, retryRatio = 0.1, failures = 5) {
  return new SignedSubgraphSource({
    name: 'tax',
    url,
    signingKey: randomBytes(32),
    timeoutMs: 2_000,
    connections: 1,
    breaker: { failures, cooldownMs: 1_000 },
    retryRatio,
  });
}

function send(s: SignedSubgraphSource, query: string, wait?: SubgraphWait) {
  const caller = { requestId: 'r', sub: 's', agency: null, roles: [], region: null, purpose: null };
  return s.process({ kind: 'incoming operation', request: { query }, context: { caller, ...(wait ? { wait } : {}) }, document: parse(query) } as never);
}

/** An agency that answers after `delayMs`. */
async function slowAgency(delayMs: number): Promise<string> {
  const server = createServer((_req, res) => {
    setTimeout(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: { ok: true } }));
    }, delayMs);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`;
}

describe('the wait on subgraphs (Server-Timing)', () => {
  it('counts fetches in parallel once, as the slowest of them, and fetches in turn one after the other', async () => {
    const fast = source(await slowAgency(100));
    const slow = source(await slowAgency(300));
    const parallel = new SubgraphWait();
    await Promise.all([send(fast, '{ ok }', parallel), send(slow, '{ ok }', parallel)]);
    // The slowest is 300 ms; the two together would be 400.
    expect(parallel.ms).toBeGreaterThanOrEqual(299);
    expect(parallel.ms).toBeLessThan(400);
    const inTurn = new SubgraphWait();
    await send(fast, '{ ok }', inTurn);
    await send(slow, '{ ok }', inTurn);
    expect(inTurn.ms).toBeGreaterThanOrEqual(399);
    expect(inTurn.serverTiming()).toMatch(/^subgraphs;dur=\d+\.\d{2}$/);
    await Promise.all([fast.close(), slow.close()]);
  });
});

describe('retries', () => {
  it('retries a query whose connection was cut, once', async () => {
    const agency = await flakyAgency(1);
    const s = source(agency.url);
    expect(await send(s, '{ ok }')).toEqual({ data: { ok: true } });
    expect(agency.received()).toBe(2);
    await s.close();
  });

  it('never retries a mutation', async () => {
    const agency = await flakyAgency(1);
    const s = source(agency.url);
    await expect(send(s, 'mutation { ok }')).rejects.toMatchObject({ extensions: { code: 'SUBGRAPH_UNAVAILABLE', service: 'tax' } });
    expect(agency.received()).toBe(1);
    await s.close();
  });

  it('stops retrying when the budget is spent', async () => {
    const agency = await flakyAgency(1_000);
    const s = source(agency.url, 0, 1_000); // no deposits: only the reserve of 10 retries; no breaker
    for (let i = 0; i < 12; i++) await send(s, '{ ok }').catch(() => {});
    expect(agency.received()).toBe(12 + 10);
    await s.close();
  });

  it('stops asking an agency that keeps failing', async () => {
    const agency = await flakyAgency(1_000);
    const s = source(agency.url, 0.1, 5);
    for (let i = 0; i < 10; i++) await send(s, '{ ok }').catch(() => {});
    // Five failures (three requests, two of them retried) open the circuit; the rest are not sent.
    expect(agency.received()).toBe(5);
    await expect(send(s, '{ ok }')).rejects.toMatchObject({ extensions: { code: 'SUBGRAPH_CIRCUIT_OPEN', service: 'tax' } });
    await s.close();
  });
});
