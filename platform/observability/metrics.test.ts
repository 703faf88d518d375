import { describe, expect, it } from 'vitest';
import {
  auditCommitSeconds,
  breakerState,
  BREAKER_STATES,
  codeLabel,
  counter,
  NO_CODE,
  policyCacheLookups,
  processRegistry,
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
  it('carries Node\'s process metrics, event-loop lag among them', async () => {
    const text = await processRegistry().metrics();
    for (const series of ['process_cpu_user_seconds_total', 'process_resident_memory_bytes', 'nodejs_heap_size_used_bytes', 'nodejs_eventloop_lag_seconds', 'nodejs_eventloop_lag_p99_seconds']) {
      expect(text).toContain(`\n# TYPE ${series} `);
    }
  });

  it('is one per process', () => {
    expect(processRegistry()).toBe(processRegistry());
  });
});

describe('the product\'s metrics', () => {
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
    sqlStatementsTotal(on).inc({ store: 'market', table: 'market_enterprises' });

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

  it('keep the code label to the product\'s UPPER_SNAKE codes', () => {
    expect(codeLabel('FORBIDDEN_FIELD')).toBe('FORBIDDEN_FIELD');
    expect(codeLabel('91350100M000100Y43 not found')).toBe('OTHER');
    expect(codeLabel('downstream_service_error')).toBe('OTHER');
    expect(codeLabel(undefined)).toBe('OTHER');
  });
});
