import { describe, expect, it } from 'vitest';
import {
  auditCommitSeconds,
  breakerState,
  BREAKER_STATES,
  codeLabel,
  counter,
  histogram,
  NO_CODE,
  policyCacheLookups,
  processRegistry,
  readOnScrape,
  rateLimitRefusals,
  Registry,
  requestSeconds,
  requestsTotal,
  sqlRoundTripSeconds,
  sqlStatementsTotal,
  stepSeconds,
  subgraphFetchSeconds,
} from './metrics.js';

describe('the process registry', () => {
  it("carries Node's process metrics, event-loop lag among them", async () => {
    const text = await processRegistry().metrics();
    for (const series of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds']) {
      expect(text).toContain(`\n# TYPE ${series} `);
    }
  });

  it('is one per process', () => {
    expect(processRegistry()).toBe(processRegistry());
  });
});

describe("the product's metrics", () => {
  it('are named meg_<what>_<unit> and exposed with what they count', async () => {
    const on = new Registry();
    requestsTotal(on).inc({ channel: 'graphql', outcome: 'ok', code: NO_CODE });
    requestsTotal(on).inc({ channel: 'graphql', outcome: 'refused', code: 'UNAUTHENTICATED' });
    requestSeconds(on).observe({ channel: 'graphql', outcome: 'ok' }, 0.004);
    stepSeconds(on).observe({ step: 'policy' }, 0.0002);
    subgraphFetchSeconds(on).observe({ subgraph: 'tax', outcome: 'ok' }, 0.003);
    auditCommitSeconds(on).observe(0.001);
    policyCacheLookups(on).inc({ result: 'hit' });
    breakerState(on).set({ subgraph: 'customs' }, BREAKER_STATES.open);
    rateLimitRefusals(on).inc({ channel: 'grpc', bucket: 'principal' });
    sqlRoundTripSeconds(on).observe({ store: 'market', operation: 'SELECT' }, 0.0004);
    sqlStatementsTotal(() => [[{ store: 'market', table: 'market_enterprises' }, 1]], on);

    const text = await on.metrics();
    for (const line of [
      'meg_requests_total{channel="graphql",outcome="ok",code="NONE"} 1',
      'meg_requests_total{channel="graphql",outcome="refused",code="UNAUTHENTICATED"} 1',
      'meg_request_duration_seconds_count{channel="graphql",outcome="ok"} 1',
      'meg_request_duration_seconds_bucket{le="0.005",channel="graphql",outcome="ok"} 1',
      'meg_step_duration_seconds_count{step="policy"} 1',
      'meg_subgraph_fetch_duration_seconds_count{subgraph="tax",outcome="ok"} 1',
      'meg_audit_commit_duration_seconds_count 1',
      'meg_policy_cache_lookups_total{result="hit"} 1',
      'meg_circuit_breaker_state{subgraph="customs"} 2',
      'meg_rate_limit_refusals_total{channel="grpc",bucket="principal"} 1',
      'meg_sql_round_trip_duration_seconds_count{store="market",operation="SELECT"} 1',
      'meg_sql_statements_total{store="market",table="market_enterprises"} 1',
    ]) {
      expect(text.split('\n')).toContain(line);
    }
  });

  it('are made once per registry: asking again gives the same series', () => {
    const on = new Registry();
    requestsTotal(on).inc({ channel: 'grpc', outcome: 'ok', code: NO_CODE });
    expect(requestsTotal(on)).toBe(requestsTotal(on));
    expect(counter({ name: 'meg_requests_total', help: 'x', labelNames: ['channel', 'outcome', 'code'] }, on)).toBe(requestsTotal(on));
  });

  it('can be kept in plain numbers by their owners and read when scraped, several owners to a metric', async () => {
    const on = new Registry();
    let tax = 0;
    let customs = 0;
    const definition = { name: 'meg_test_requests_total', help: 'Requests.', labelNames: ['agency'] as const };
    readOnScrape('counter', definition, () => [[{ agency: 'tax' }, tax]], on);
    readOnScrape('counter', definition, () => [[{ agency: 'customs' }, customs]], on);
    tax = 3;
    customs = 1;
    expect((await on.metrics()).split('\n')).toEqual(expect.arrayContaining(['meg_test_requests_total{agency="tax"} 3', 'meg_test_requests_total{agency="customs"} 1']));
    tax = 5;
    expect((await on.metrics()).split('\n')).toContain('meg_test_requests_total{agency="tax"} 5');
    expect(() => readOnScrape('gauge', { name: 'meg_test_other', help: 'x' }, () => [], on)).not.toThrow();
    counter({ name: 'meg_test_plain_total', help: 'x' }, on);
    expect(() => readOnScrape('counter', { name: 'meg_test_plain_total', help: 'x' }, () => [], on)).toThrow(/not read on scrape/);
  });

  it("have histograms in Prometheus's form: cumulative buckets up to +Inf, a sum and a count per series", async () => {
    const on = new Registry();
    const seconds = histogram({ name: 'meg_test_seconds', help: 'Time.', labelNames: ['step'], buckets: [0.01, 0.1, 1] }, on);
    const policy = seconds.series({ step: 'policy' });
    expect(seconds.series({ step: 'policy' })).toBe(policy);
    for (const value of [0.005, 0.01, 0.05, 2]) policy.observe(value);
    seconds.observe({ step: 'plan' }, 0.5);
    expect((await on.metrics()).split('\n')).toEqual([
      '# HELP meg_test_seconds Time.',
      '# TYPE meg_test_seconds histogram',
      'meg_test_seconds_bucket{le="0.01",step="policy"} 2',
      'meg_test_seconds_bucket{le="0.1",step="policy"} 3',
      'meg_test_seconds_bucket{le="1",step="policy"} 3',
      'meg_test_seconds_bucket{le="+Inf",step="policy"} 4',
      'meg_test_seconds_sum{step="policy"} 2.065',
      'meg_test_seconds_count{step="policy"} 4',
      'meg_test_seconds_bucket{le="0.01",step="plan"} 0',
      'meg_test_seconds_bucket{le="0.1",step="plan"} 0',
      'meg_test_seconds_bucket{le="1",step="plan"} 1',
      'meg_test_seconds_bucket{le="+Inf",step="plan"} 1',
      'meg_test_seconds_sum{step="plan"} 0.5',
      'meg_test_seconds_count{step="plan"} 1',
      '',
    ]);
    expect(histogram({ name: 'meg_test_seconds', help: 'Time.' }, on)).toBe(seconds);
  });

  it('time a step in seconds', async () => {
    const series = histogram({ name: 'meg_test_step_seconds', help: 'x' }, new Registry()).series();
    const stop = series.startTimer();
    await new Promise((r) => setTimeout(r, 20));
    const seconds = stop();
    expect(seconds).toBeGreaterThanOrEqual(0.015);
    expect(series.count).toBe(1);
    expect(series.sum).toBe(seconds);
  });

  it("keep the code label to the product's UPPER_SNAKE codes", () => {
    expect(codeLabel('FORBIDDEN_FIELD')).toBe('FORBIDDEN_FIELD');
    expect(codeLabel('91350100M000100Y43 not found')).toBe('OTHER');
    expect(codeLabel('downstream_service_error')).toBe('OTHER');
    expect(codeLabel(undefined)).toBe('OTHER');
  });
});
