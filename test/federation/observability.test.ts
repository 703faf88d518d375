/**
 * The gateway's observability, from outside: its spans, exported over OTLP/HTTP to a collector
 * the test runs, continue the caller's trace and name the request's steps and fetches (never a
 * value); its admin port counts the request and answers health and readiness, none of which the
 * public port serves.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CALLERS, headersFor } from '../support/callers.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway.js';
import { graphql } from '../support/graphql.js';
import { universe } from '../support/universe.js';
import { waitUntil } from '../support/federation.js';

const federation = inject('federation');
const uscc = universe(federation.seed, 1)[0]!.uscc;

interface OtlpSpan {
  readonly traceId: string;
  readonly spanId: string;
  readonly parentSpanId?: string;
  readonly name: string;
  readonly attributes?: { key: string; value: Record<string, unknown> }[];
}

/** A collector of OTLP/HTTP JSON traces. */
const received: OtlpSpan[] = [];
let collector: Server;
let gateway: GatewayProcess;

beforeAll(async () => {
  collector = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const parsed = JSON.parse(body) as { resourceSpans: { scopeSpans: { spans: OtlpSpan[] }[] }[] };
      for (const resource of parsed.resourceSpans) for (const scope of resource.scopeSpans) received.push(...scope.spans);
      res.writeHead(200, { 'content-type': 'application/json' }).end('{}');
    });
  });
  await new Promise<void>((resolve) => collector.listen(0, '127.0.0.1', resolve));
  const { port } = collector.address() as AddressInfo;
  gateway = await startGatewayProcess(federation, {
    extraEnv: {
      OTEL_TRACES_EXPORTER: 'otlp',
      OTEL_EXPORTER_OTLP_TRACES_ENDPOINT: `http://127.0.0.1:${port}/v1/traces`,
      OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
      OTEL_BSP_SCHEDULE_DELAY: '50',
    },
  });
}, 120_000);

afterAll(async () => {
  await gateway?.stop();
  collector?.close();
});

describe("the gateway's traces", () => {
  it("continue the caller's trace through its steps and each fetch from an agency, with no value in any attribute", async () => {
    const traceId = randomBytes(16).toString('hex');
    const parentId = randomBytes(8).toString('hex');
    const headers = { ...(await headersFor(federation, CALLERS.procurement)), traceparent: `00-${traceId}-${parentId}-01` };
    const res = await graphql(gateway.url, `{ enterprise(uscc: "${uscc}") { uscc market { name legalRepresentative { name idNumber } } } }`, undefined, headers);
    expect(res.status).toBe(200);
    await waitUntil(async () => received.some((s) => s.traceId === traceId && s.name === 'POST /graphql'), 30_000);
    const spans = received.filter((s) => s.traceId === traceId);
    const names = spans.map((s) => s.name);
    for (const name of ['POST /graphql', 'read request', 'authenticate', 'document check', 'execute', 'policy', 'fetch market', 'audit commit']) expect(names).toContain(name);
    // The request's span is the caller's span's child; every other span descends from it.
    const root = spans.find((s) => s.name === 'POST /graphql')!;
    expect(root.parentSpanId).toBe(parentId);
    const ids = new Set(spans.map((s) => s.spanId));
    for (const span of spans.filter((s) => s !== root)) expect(ids.has(span.parentSpanId ?? '')).toBe(true);
    // No value the caller sent or an agency holds: not the code asked about, not a name or ID number answered.
    const data = res.body.data as { enterprise: { market: { name: string; legalRepresentative: { name: string; idNumber: string } | null } } };
    const values = [uscc, data.enterprise.market.name, data.enterprise.market.legalRepresentative?.name].filter((v): v is string => typeof v === 'string');
    const attributes = JSON.stringify(spans.map((s) => s.attributes ?? []));
    for (const value of values) expect(attributes).not.toContain(value);
  });
});

describe("the gateway's admin port", () => {
  it('counts requests by outcome and code, and answers health and readiness, which the public port keeps to itself', async () => {
    const before = await requestsCounted('refused', 'UNAUTHENTICATED');
    const refused = await graphql(gateway.url, '{ enterprise(uscc: "x") { uscc } }', undefined, { authorization: 'Bearer not-a-token' });
    expect(refused.status).toBe(401);
    expect(await requestsCounted('refused', 'UNAUTHENTICATED')).toBe(before + 1);
    const metrics = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
    for (const series of [
      'meg_step_duration_seconds_bucket{le="0.001",step="admit"}',
      'meg_audit_commit_duration_seconds_count',
      'meg_circuit_breaker_state{subgraph="market"} 0',
      'meg_policy_cache_lookups_total{result="miss"}',
      'nodejs_eventloop_lag_seconds',
    ]) {
      expect(metrics).toContain(series);
    }
    expect((await fetch(`${gateway.adminUrl}/healthz`)).status).toBe(200);
    const ready = await fetch(`${gateway.adminUrl}/readyz`);
    expect(ready.status).toBe(200);
    expect((await fetch(new URL('/metrics', gateway.url))).status).toBe(404);
  });
});

/** meg_requests_total for GraphQL requests of `outcome` and `code`, as the admin port says now. */
async function requestsCounted(outcome: string, code: string): Promise<number> {
  const text = await (await fetch(`${gateway.adminUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`meg_requests_total{channel="graphql",outcome="${outcome}",code="${code}"}`));
  return line ? Number(line.split(' ').at(-1)) : 0;
}
