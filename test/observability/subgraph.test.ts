/**
 * A subgraph as an operator sees it: its requests in the gateway's trace, its log lines, its admin
 * port. One real market subgraph runs in this test process (so that its spans can be read from an
 * in-memory exporter), over the shared federation's PostgreSQL database and keys, and is asked as
 * the gateway asks: a signed request carrying a `traceparent`.
 */
import { Writable } from 'node:stream';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { configureLogger } from '../../platform/observability/logger.js';
import { SpanKind, startTracing, type Tracing } from '../../platform/observability/tracing.js';
import { signRequest, type CallerContext } from '../../platform/trust/gatewaySignature.js';
import { MarketSource } from '../../subgraphs/market/data/MarketSource.js';
import { resolvers } from '../../subgraphs/market/resolvers/index.js';
import { loadSubgraphConfig } from '../../subgraphs/runtime/config.js';
import { runSubgraph, type RunningSubgraph } from '../../subgraphs/runtime/subgraphServer.js';
import { gatewaySigningKey, waitUntil } from '../support/federation.js';
import { subgraphMetrics } from '../support/graphql.js';
import { firstWhere, universe } from '../support/universe.js';
import type { Untyped } from '../support/untyped.js';

const federation = inject('federation');
const TRACE_ID = '0af7651916cd43dd8448eb211c80319c';
const GATEWAY_SPAN_ID = 'b7ad6b7169203331';
const caller: CallerContext = { requestId: 'obs-request-1', sub: 'market-officer-1', agency: 'MARKET', roles: ['officer'], region: null, purpose: 'REGISTRATION_REVIEW' };
/** An enterprise whose legal representative's personal data the request reads. */
const enterprise = firstWhere(universe(federation.seed, 50), 'is registered', () => true);
const BODY = JSON.stringify({
  query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Enterprise { market { name legalRepresentative { name idNumber phone } penalties { decisionNo } } } } }',
  variables: { r: [{ __typename: 'Enterprise', uscc: enterprise.uscc }] },
});

const exporter = new InMemorySpanExporter();
const logged: string[] = [];
let tracing: Tracing;
let market: RunningSubgraph | undefined;
let answer: { status: number; body: Untyped };

beforeAll(async () => {
  configureLogger({ service: 'meg-market', destination: new Writable({ write: (chunk, _, done) => done(void logged.push(String(chunk))) }) });
  tracing = startTracing({ service: 'meg-market', exporters: [exporter] });
  // A second market subgraph beside the shared one: its database and keys, ports of its own.
  const config = loadSubgraphConfig('market', { ...federation.env, MEG_MARKET_PORT: '0', MEG_MARKET_ADMIN_PORT: '0' });
  market = await runSubgraph({ agency: 'market', resolvers, createSources: (db, cursors) => new MarketSource(db, cursors) }, config);

  const headers = {
    'content-type': 'application/json',
    traceparent: `00-${TRACE_ID}-${GATEWAY_SPAN_ID}-01`,
    ...signRequest(gatewaySigningKey(federation, 'market'), { method: 'POST', path: '/graphql', body: BODY }, caller),
  };
  const res = await fetch(market.url, { method: 'POST', headers, body: BODY });
  answer = { status: res.status, body: await res.json() };
  // The request's span ends as its answer is sent: wait for it rather than race it.
  await waitUntil(async () => exporter.getFinishedSpans().some((s) => s.kind === SpanKind.SERVER), 5_000, 10);
});

afterAll(async () => {
  await market?.stop();
  await tracing?.shutdown();
});

describe('a subgraph request', () => {
  it('is answered, personal data included, for the gateway to decide on', () => {
    expect(answer.status).toBe(200);
    expect(answer.body.data._entities[0].market.legalRepresentative.idNumber).toMatch(/^\d{17}[\dX]$/);
  });

  it("continues the gateway's trace: the request, its signature check, its execution and each SQL round trip are spans of it", () => {
    const spans = exporter.getFinishedSpans();
    const server = spans.find((s) => s.kind === SpanKind.SERVER)!;
    expect(server).toMatchObject({ name: 'POST /graphql' });
    expect(server.parentSpanContext?.spanId).toBe(GATEWAY_SPAN_ID);
    expect(server.attributes).toMatchObject({ 'meg.subgraph': 'market', 'meg.request.id': 'obs-request-1', 'http.response.status_code': 200, 'meg.outcome': 'ok' });
    for (const span of spans) expect(span.spanContext().traceId).toBe(TRACE_ID);

    const byId = new Map(spans.map((s) => [s.spanContext().spanId, s]));
    const ancestry = (span: ReadableSpan): string[] => {
      const parent = span.parentSpanContext && byId.get(span.parentSpanContext.spanId);
      return parent ? [parent.name, ...ancestry(parent)] : [];
    };
    expect(ancestry(spans.find((s) => s.name === 'authenticate')!)).toEqual(['POST /graphql']);
    expect(ancestry(spans.find((s) => s.name === 'graphql.execute')!)).toEqual(['POST /graphql']);
    const sql = spans.filter((s) => s.attributes['db.system'] === 'postgresql');
    expect(sql.length).toBeGreaterThanOrEqual(1);
    for (const span of sql) {
      expect(span.kind).toBe(SpanKind.CLIENT);
      expect(ancestry(span)).toEqual(['graphql.execute', 'POST /graphql']);
      expect(span.attributes).toMatchObject({ 'db.system.name': 'postgresql', 'db.operation.name': 'SELECT', 'meg.db.store': 'market', 'meg.db.backend': 'postgres' });
    }
  });

  it('puts no statement text, parameter or value into any span', () => {
    const recorded = JSON.stringify(exporter.getFinishedSpans().map((s) => ({ name: s.name, attributes: s.attributes, events: s.events, status: s.status })));
    const representative = answer.body.data._entities[0].market.legalRepresentative;
    for (const value of [enterprise.uscc, representative.idNumber, representative.phone, representative.name, 'market-officer-1', 'WHERE', '$1']) {
      expect(recorded).not.toContain(value);
    }
    for (const span of exporter.getFinishedSpans()) {
      expect(Object.keys(span.attributes).filter((k) => /statement$|query\.text|db\.query/.test(k) && k !== 'meg.db.statement')).toEqual([]);
    }
  });

  it("is logged with the gateway's request id and the trace id, as JSON", () => {
    const lines = logged.map((l) => JSON.parse(l) as Record<string, unknown>).filter((l) => l['requestId'] === 'obs-request-1');
    expect(lines).toEqual([
      expect.objectContaining({
        level: 'info',
        service: 'meg-market',
        requestId: 'obs-request-1',
        traceId: TRACE_ID,
        event: 'graphql',
        caller: { sub: 'market-officer-1', agency: 'MARKET', purpose: 'REGISTRATION_REVIEW' },
      }),
    ]);
  });
});

describe("the subgraph's admin port", () => {
  it('serves its metrics, the request counted, and the public port does not', async () => {
    expect(new URL(market!.adminUrl).hostname).toBe('127.0.0.1');
    const metrics = await subgraphMetrics(market!.adminUrl);
    expect(metrics.get('meg_subgraph_graphql_requests_total{agency="market"}')).toBe(1);
    expect(metrics.get('meg_subgraph_responses_total{agency="market",outcome="ok",code="NONE"}')).toBe(1);
    expect(metrics.get('meg_subgraph_request_seconds_count{agency="market"}')).toBe(1);
    expect(metrics.get('meg_subgraph_signature_check_seconds_count{agency="market"}')).toBe(1);
    expect(metrics.get('meg_sql_round_trip_duration_seconds_count{store="market",operation="SELECT"}')).toBeGreaterThanOrEqual(1);
    expect(metrics.get('meg_sql_statements_total{store="market",table="market_registrations"}')).toBeGreaterThanOrEqual(1);
    expect([...metrics.keys()].some((series) => series.startsWith('nodejs_eventloop_lag_seconds'))).toBe(true);
    expect((await fetch(new URL('/metrics', market!.url))).status).toBe(404);
  });

  it('says the subgraph is alive and ready', async () => {
    expect(await (await fetch(`${market!.adminUrl}/healthz`)).json()).toEqual({ status: 'ok' });
    const ready = await fetch(`${market!.adminUrl}/readyz`);
    expect(ready.status).toBe(200);
    // No NATS server is named here (the events tests name one): its credit events would wait in its
    // outbox, and it responds to no other agency's, and it says so.
    expect(await ready.json()).toEqual({
      status: 'ready',
      agency: 'market',
      backend: 'postgres',
      events: { status: 'not published', reason: 'MEG_NATS_URL is not set' },
      response: { status: 'not consuming', reason: 'MEG_NATS_URL is not set' },
    });
  });

  it('closes when the subgraph stops', async () => {
    const adminUrl = market!.adminUrl;
    await market!.stop();
    market = undefined;
    await expect(fetch(`${adminUrl}/healthz`)).rejects.toThrow();
  });
});
