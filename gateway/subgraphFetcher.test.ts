/**
 * The data source against a real HTTP server standing in for an agency that drops connections or
 * answers through a failing proxy: queries are retried once within the budget when the connection
 * failed or a 5xx came without a GraphQL body, nothing else is, and failures name the agency.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { parse } from 'graphql';
import { afterEach, describe, expect, it } from 'vitest';
import { SignedSubgraphSource, SubgraphWait } from './subgraphFetcher.js';

const servers: Server[] = [];
afterEach(async () => {
  await Promise.all(
    servers.splice(0).map((s) => {
      s.closeAllConnections(); // requests a test left unanswered on purpose
      return new Promise((r) => s.close(r));
    }),
  );
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

/** What a scripted agency does with one request: answer it, or never answer it. */
type Scripted = { readonly status: number; readonly type: string; readonly body: string } | 'no answer';

/** A server that handles its n-th request as the n-th entry of `script` says. */
async function scriptedAgency(...script: Scripted[]): Promise<{ url: string; received: () => number }> {
  let received = 0;
  const server = createServer((_req, res) => {
    const next = script[received++];
    if (next === undefined) throw new Error(`the agency got request ${received}, which the test did not expect`);
    if (next === 'no answer') return;
    res.writeHead(next.status, { 'content-type': next.type });
    res.end(next.body);
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`, received: () => received };
}
const graphqlAnswer = (status: number, body: unknown): Scripted => ({ status, type: 'application/json', body: JSON.stringify(body) });
const proxyPage = (status: number): Scripted => ({ status, type: 'text/html', body: `<html><body><h1>${status}</h1>nginx</body></html>` });

function source(url: string, retryRatio = 0.1, failures = 5, timeoutMs = 2_000) {
  return new SignedSubgraphSource({
    name: 'tax',
    url,
    signingKey: randomBytes(32),
    timeoutMs,
    connections: 1,
    breaker: { failures, cooldownMs: 1_000 },
    retryRatio,
  });
}

function send(s: SignedSubgraphSource, query: string, wait?: SubgraphWait) {
  const caller = { requestId: 'r', sub: 's', agency: null, roles: [], region: null, purpose: null };
  return s.process({ kind: 'incoming operation', request: { query }, incomingRequestContext: {}, context: { caller, ...(wait ? { wait } : {}) }, document: parse(query) } as never);
}

/** An agency that answers each request when the test says so. */
async function heldAgency(): Promise<{ url: string; arrived: () => Promise<void>; answer: () => void }> {
  const waiting: (() => void)[] = [];
  let notify: (() => void) | null = null;
  const server = createServer((_req, res) => {
    waiting.push(() => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ data: { ok: true } }));
    });
    notify?.();
  });
  servers.push(server);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/graphql`,
    arrived: () => (waiting.length > 0 ? Promise.resolve() : new Promise<void>((r) => (notify = r))),
    answer: () => waiting.shift()!(),
  };
}

describe('the wait on subgraphs (Server-Timing)', () => {
  it('counts fetches in parallel once, as the slowest of them, and fetches in turn one after the other', async () => {
    // A clock the test moves: the waits are exact, however busy the machine.
    let now = 0;
    const [fastAgency, slowAgency] = [await heldAgency(), await heldAgency()];
    const fast = source(fastAgency.url);
    const slow = source(slowAgency.url);
    const parallel = new SubgraphWait(() => now);
    const both = Promise.all([send(fast, '{ ok }', parallel), send(slow, '{ ok }', parallel)]);
    await Promise.all([fastAgency.arrived(), slowAgency.arrived()]);
    now = 100;
    fastAgency.answer();
    now = 300;
    slowAgency.answer();
    await both;
    // The slowest took 300; the two one after the other would be 400.
    expect(parallel.ms).toBe(300);
    const inTurn = new SubgraphWait(() => now);
    now = 1_000;
    const first = send(fast, '{ ok }', inTurn);
    await fastAgency.arrived();
    now = 1_100;
    fastAgency.answer();
    await first;
    now = 2_000; // time between the fetches, not waited on an agency
    const second = send(slow, '{ ok }', inTurn);
    await slowAgency.arrived();
    now = 2_300;
    slowAgency.answer();
    await second;
    expect(inTurn.ms).toBe(400);
    expect(inTurn.serverTiming()).toBe('subgraphs;dur=400.00');
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

  it('retries a query answered 5xx without a GraphQL body, as from a proxy in front of the agency, once', async () => {
    const agency = await scriptedAgency(proxyPage(502), graphqlAnswer(200, { data: { ok: true } }));
    const s = source(agency.url);
    expect(await send(s, '{ ok }')).toEqual({ data: { ok: true } });
    expect(agency.received()).toBe(2);
    await s.close();
  });

  it('gives up after the one retry, naming the agency and the status', async () => {
    const agency = await scriptedAgency(proxyPage(503), proxyPage(502));
    const s = source(agency.url);
    await expect(send(s, '{ ok }')).rejects.toMatchObject({ message: 'the tax subgraph failed (502)', extensions: { code: 'SUBGRAPH_UNAVAILABLE', service: 'tax' } });
    expect(agency.received()).toBe(2);
    await s.close();
  });

  it('never retries an answer with a GraphQL body, whatever its status', async () => {
    const answer = { data: null, errors: [{ message: 'the tax database is unavailable', extensions: { code: 'AGENCY_DATA_UNAVAILABLE' } }] };
    const agency = await scriptedAgency(graphqlAnswer(500, answer), graphqlAnswer(200, { data: { ok: true } }));
    const s = source(agency.url);
    expect(await send(s, '{ ok }')).toEqual(answer);
    expect(agency.received()).toBe(1);
    await s.close();
  });

  it('never retries a mutation answered 5xx without a GraphQL body', async () => {
    const agency = await scriptedAgency(proxyPage(502), graphqlAnswer(200, { data: { ok: true } }));
    const s = source(agency.url);
    await expect(send(s, 'mutation { ok }')).rejects.toMatchObject({ message: 'the tax subgraph failed (502)', extensions: { code: 'SUBGRAPH_UNAVAILABLE', service: 'tax' } });
    expect(agency.received()).toBe(1);
    await s.close();
  });

  it('never retries a 4xx answer', async () => {
    const agency = await scriptedAgency(proxyPage(404), graphqlAnswer(200, { data: { ok: true } }));
    const s = source(agency.url);
    await expect(send(s, '{ ok }')).rejects.toMatchObject({ message: 'the tax subgraph answered 404 without a GraphQL response', extensions: { code: 'SUBGRAPH_BAD_RESPONSE', service: 'tax' } });
    expect(agency.received()).toBe(1);
    await s.close();
  });

  it('never retries a query that timed out', async () => {
    // Were it retried, the second request would be answered and the query would succeed.
    const agency = await scriptedAgency('no answer', graphqlAnswer(200, { data: { ok: true } }));
    const s = source(agency.url, 0.1, 5, 200);
    await expect(send(s, '{ ok }')).rejects.toMatchObject({ message: 'the tax subgraph did not answer within 200 ms', extensions: { code: 'SUBGRAPH_TIMEOUT', service: 'tax' } });
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
