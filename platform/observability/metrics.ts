/**
 * Prometheus metrics: one registry per process ({@link processRegistry}), served on the process's
 * admin port (adminServer.ts), with Node's process metrics (CPU, memory, heap, handles, GC,
 * event-loop lag as `nodejs_eventloop_lag_*`) and the product's own series, named
 * `meg_<what>_<unit>`.
 *
 * Every metric here is made through {@link counter}, {@link gauge} or {@link histogram}, which
 * return the registry's existing metric of that name (a process that serves several subgraphs
 * shares one series per name, told apart by a label), and the constructors below name the
 * product's metrics once, so the gateway and the subgraphs count alike.
 *
 * Labels take values from small fixed sets only: an outcome, an error code of the product's,
 * a step, a subgraph, a table, an SQL keyword. Never an enterprise code, a subject, an address,
 * an operation name or anything else a caller chooses: each distinct value is a series kept for
 * the life of the process, and a label is readable by whoever scrapes.
 *
 * The gateway's part, in short:
 * ```ts
 * const requests = requestsTotal();                 // meg_requests_total{channel,outcome,code}
 * requests.inc({ channel: 'graphql', outcome: 'ok', code: NO_CODE });
 * const timer = stepSeconds().startTimer({ step: 'policy' }); …; timer();
 * subgraphFetchSeconds().observe({ subgraph: 'tax', outcome: 'ok' }, seconds);
 * ```
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';

export { Counter, Gauge, Histogram, Registry };

let registry: Registry | undefined;

/** The process's registry, with Node's process metrics registered on first use. */
export function processRegistry(): Registry {
  if (!registry) {
    registry = new Registry();
    // Lag sampled every 20 ms: fine enough to see a stall of a request's length, cheap to keep.
    collectDefaultMetrics({ register: registry, eventLoopMonitoringPrecision: 20 });
  }
  return registry;
}

/** What a metric is: its name (`meg_<what>_<unit>`), what it counts, and its labels. */
export interface MetricDefinition<L extends string> {
  readonly name: string;
  readonly help: string;
  readonly labelNames?: readonly L[];
}

/** The counter `name` of `registry`, made on first use. */
export function counter<L extends string = never>(definition: MetricDefinition<L>, on: Registry = processRegistry()): Counter<L> {
  return (on.getSingleMetric(definition.name) as Counter<L> | undefined) ?? new Counter<L>({ ...definition, labelNames: definition.labelNames ?? [], registers: [on] });
}

/** The gauge `name` of `registry`, made on first use. */
export function gauge<L extends string = never>(definition: MetricDefinition<L>, on: Registry = processRegistry()): Gauge<L> {
  return (on.getSingleMetric(definition.name) as Gauge<L> | undefined) ?? new Gauge<L>({ ...definition, labelNames: definition.labelNames ?? [], registers: [on] });
}

/** The histogram `name` of `registry` (seconds, with {@link SECONDS_BUCKETS} unless told), made on first use. */
export function histogram<L extends string = never>(
  definition: MetricDefinition<L> & { readonly buckets?: readonly number[] },
  on: Registry = processRegistry(),
): Histogram<L> {
  return (
    (on.getSingleMetric(definition.name) as Histogram<L> | undefined) ??
    new Histogram<L>({
      name: definition.name,
      help: definition.help,
      labelNames: definition.labelNames ?? [],
      buckets: [...(definition.buckets ?? SECONDS_BUCKETS)],
      registers: [on],
    })
  );
}

/** Buckets for a request or a step: 0.5 ms to 10 s (the subgraph deadline). */
export const SECONDS_BUCKETS: readonly number[] = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

/** Buckets for work of microseconds (a signature check, a cached decision): 10 µs to 25 ms. */
export const FAST_SECONDS_BUCKETS: readonly number[] = [0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.01, 0.025];

/**
 * How a request ended: `ok` (answered in full), `partial` (data and errors), `refused` (turned
 * away before any work: authentication, limits, validation, a bad body, the rate limiter) or
 * `error` (attempted, and nothing came of it; or a failure of ours).
 */
export type Outcome = 'ok' | 'partial' | 'refused' | 'error';

/** The `code` label of a request that ended without an error code. */
export const NO_CODE = 'NONE';

/**
 * An error code as a label value: the product's codes are UPPER_SNAKE constants; anything else
 * (a code some library made up from its input, say) is `OTHER`, so the set stays bounded.
 */
export function codeLabel(code: unknown): string {
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(code) ? code : 'OTHER';
}

/** `meg_requests_total{channel,outcome,code}`: requests answered, by channel (`graphql`, `grpc`), outcome and first error code. */
export function requestsTotal(on?: Registry): Counter<'channel' | 'outcome' | 'code'> {
  return counter({ name: 'meg_requests_total', help: 'Requests answered, by channel, outcome and first error code (NONE without one).', labelNames: ['channel', 'outcome', 'code'] }, on);
}

/** `meg_request_duration_seconds{channel,outcome}`: time from receipt to the last byte of the answer. */
export function requestSeconds(on?: Registry): Histogram<'channel' | 'outcome'> {
  return histogram({ name: 'meg_request_duration_seconds', help: 'Time from a request\'s receipt to its answer, by channel and outcome.', labelNames: ['channel', 'outcome'] }, on);
}

/** `meg_step_duration_seconds{step}`: each step of the pipeline (`authenticate`, `policy`, `plan`, `execute`, `mask`, `audit`…). */
export function stepSeconds(on?: Registry): Histogram<'step'> {
  return histogram({ name: 'meg_step_duration_seconds', help: 'Time spent in each step of answering a request.', labelNames: ['step'] }, on);
}

/** `meg_subgraph_fetch_duration_seconds{subgraph,outcome}`: each fetch the gateway makes of a subgraph. */
export function subgraphFetchSeconds(on?: Registry): Histogram<'subgraph' | 'outcome'> {
  return histogram({ name: 'meg_subgraph_fetch_duration_seconds', help: 'Time of each fetch from a subgraph, by subgraph and outcome.', labelNames: ['subgraph', 'outcome'] }, on);
}

/** `meg_audit_commit_duration_seconds`: each durable commit of access-log records (a group commit counts once). */
export function auditCommitSeconds(on?: Registry): Histogram {
  return histogram({ name: 'meg_audit_commit_duration_seconds', help: 'Time of each commit of access-log records, a group commit once.' }, on);
}

/** `meg_policy_cache_lookups_total{result}`: decisions looked up in the policy cache, `hit` or `miss`. */
export function policyCacheLookups(on?: Registry): Counter<'result'> {
  return counter({ name: 'meg_policy_cache_lookups_total', help: 'Policy decisions looked up in the cache, by result (hit, miss).', labelNames: ['result'] }, on);
}

/** The values of {@link breakerState}. */
export const BREAKER_STATES = { closed: 0, halfOpen: 1, open: 2 } as const;

/** `meg_circuit_breaker_state{subgraph}`: 0 closed, 1 half-open (a probe let through), 2 open (not asked). */
export function breakerState(on?: Registry): Gauge<'subgraph'> {
  return gauge({ name: 'meg_circuit_breaker_state', help: 'Circuit breaker per subgraph: 0 closed, 1 half-open, 2 open.', labelNames: ['subgraph'] }, on);
}

/** `meg_rate_limit_refusals_total{channel,bucket}`: requests refused by the rate limiter, by channel and bucket (`principal`, `address`, `refusal`). */
export function rateLimitRefusals(on?: Registry): Counter<'channel' | 'bucket'> {
  return counter({ name: 'meg_rate_limit_refusals_total', help: 'Requests refused by the rate limiter, by channel and bucket.', labelNames: ['channel', 'bucket'] }, on);
}

/** `meg_sql_round_trip_duration_seconds{store,operation}`: each statement sent to a database (several gathered into one count once). */
export function sqlRoundTripSeconds(on?: Registry): Histogram<'store' | 'operation'> {
  return histogram(
    {
      name: 'meg_sql_round_trip_duration_seconds',
      help: 'Time of each round trip to a database, by store and SQL keyword (a request\'s gathered statements travel as one).',
      labelNames: ['store', 'operation'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    },
    on,
  );
}

/** `meg_sql_statements_total{store,table}`: statements issued by data sources, by the table each reads. */
export function sqlStatementsTotal(on?: Registry): Counter<'store' | 'table'> {
  return counter({ name: 'meg_sql_statements_total', help: 'Statements issued by data sources, by store and the table each reads.', labelNames: ['store', 'table'] }, on);
}
