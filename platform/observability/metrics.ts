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
 * On a request's path, prefer {@link readOnScrape} for counts and levels, and keep the
 * {@link HistogramSeries} of the labels a step observes under: prom-client validates and hashes
 * the labels of every `inc`, and its histograms look their bucket up by a float key on every
 * observation (6–7 µs each, measured inside a subgraph under load), where a plain number the
 * scrape reads costs nothing. So this module's histograms are its own, kept in arrays and
 * formatted by the registry like any other metric.
 *
 * Labels take values from small fixed sets only: an outcome, an error code of the product's,
 * a step, a subgraph, a table, an SQL keyword. Never an enterprise code, a subject, an address,
 * an operation name or anything else a caller chooses: each distinct value is a series kept for
 * the life of the process, and a label is readable by whoever scrapes.
 *
 * The gateway's part, in short:
 * ```ts
 * const requests = requestsTotal();                          // meg_requests_total{channel,outcome,code}
 * requests.inc({ channel: 'graphql', outcome: 'partial', code: code === undefined ? NO_CODE : codeLabel(code) });
 * const policyStep = stepSeconds().series({ step: 'policy' }); // once, at start-up
 * const stop = policyStep.startTimer(); …; stop();            // each request
 * subgraphFetchSeconds().observe({ subgraph: 'tax', outcome: 'ok' }, seconds);
 * policyCacheLookups().inc({ result: 'hit' }); breakerState().set({ subgraph: 'tax' }, BREAKER_STATES.open);
 * ```
 */
import { collectDefaultMetrics, Counter, Gauge, Registry, type LabelValues } from 'prom-client';

export { Counter, Gauge, Registry, type LabelValues };

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
export function histogram<L extends string = never>(definition: MetricDefinition<L> & { readonly buckets?: readonly number[] }, on: Registry = processRegistry()): Histogram<L> {
  const existing = on.getSingleMetric(definition.name);
  if (existing instanceof Histogram) return existing as Histogram<L>;
  const made = new Histogram<L>(definition.name, definition.help, definition.buckets ?? SECONDS_BUCKETS);
  on.registerMetric(made as never);
  return made;
}

/** A value of a metric as the registry formats it. */
interface ScrapedValue {
  readonly metricName: string;
  readonly labels: Record<string, string>;
  readonly value: number;
}

/** One series of a {@link Histogram}: what a step observes into, kept by the step. */
export class HistogramSeries {
  /** Observations per bucket (the last one above every bound), not cumulative. */
  readonly counts: Float64Array;
  sum = 0;
  count = 0;

  constructor(
    readonly labels: Readonly<Record<string, string>>,
    private readonly bounds: readonly number[],
  ) {
    this.counts = new Float64Array(bounds.length + 1);
  }

  observe(value: number): void {
    let bucket = 0;
    while (bucket < this.bounds.length && value > this.bounds[bucket]!) bucket++;
    this.counts[bucket]!++;
    this.sum += value;
    this.count++;
  }

  /** Starts timing; the function returned observes the seconds since, and returns them. */
  startTimer(): () => number {
    const start = performance.now();
    return () => {
      const seconds = (performance.now() - start) / 1000;
      this.observe(seconds);
      return seconds;
    };
  }
}

/**
 * A Prometheus histogram (`_bucket{le}`, `_sum`, `_count` per series) whose series are plain
 * arrays, formatted when the registry is scraped. Look a series up once ({@link series}) and keep
 * it where it is observed on every request.
 */
export class Histogram<L extends string = never> {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly bounds: readonly number[];
  private readonly bySeries = new Map<string, HistogramSeries>();

  constructor(
    readonly name: string,
    readonly help: string,
    buckets: readonly number[],
  ) {
    this.bounds = [...buckets].sort((a, b) => a - b);
  }

  /** The series of `labels` (made on first use). */
  series(labels: LabelValues<L> = {}): HistogramSeries {
    const entries = Object.entries(labels).map(([name, value]) => [name, String(value)] as const);
    const key = JSON.stringify([...entries].sort(([a], [b]) => (a < b ? -1 : 1)));
    let found = this.bySeries.get(key);
    if (!found) this.bySeries.set(key, (found = new HistogramSeries(Object.fromEntries(entries), this.bounds)));
    return found;
  }

  /** Observes `value` in the series of `labels`, or of no labels (a look-up: on a request's path, keep the series). */
  observe(labels: LabelValues<L> | number, value?: number): void {
    if (typeof labels === 'number') this.series().observe(labels);
    else this.series(labels).observe(value!);
  }

  /** Starts timing in the series of `labels`. */
  startTimer(labels?: LabelValues<L>): () => number {
    return this.series(labels).startTimer();
  }

  /** What the registry formats: each series' cumulative buckets, sum and count. */
  async get(): Promise<{ name: string; help: string; type: 'histogram'; values: ScrapedValue[]; aggregator: 'sum' }> {
    const values: ScrapedValue[] = [];
    for (const series of this.bySeries.values()) {
      let cumulative = 0;
      for (let i = 0; i <= this.bounds.length; i++) {
        cumulative += series.counts[i]!;
        const le = i < this.bounds.length ? String(this.bounds[i]) : '+Inf';
        values.push({ metricName: `${this.name}_bucket`, labels: { le, ...series.labels }, value: cumulative });
      }
      values.push({ metricName: `${this.name}_sum`, labels: { ...series.labels }, value: series.sum });
      values.push({ metricName: `${this.name}_count`, labels: { ...series.labels }, value: series.count });
    }
    return { name: this.name, help: this.help, type: 'histogram', values, aggregator: 'sum' };
  }

  /** Forgets every observation (the registry's resetMetrics). */
  reset(): void {
    this.bySeries.clear();
  }
}

/** What {@link readOnScrape} reads: each series' labels and its value now. */
export type ScrapeReader<L extends string> = () => Iterable<readonly [LabelValues<L>, number]>;

/** The readers of each metric made by {@link readOnScrape}. */
const scrapeReaders = new WeakMap<object, Set<ScrapeReader<string>>>();

/**
 * A counter or gauge whose values are kept by their owner in plain numbers and read by `read`
 * whenever the registry is scraped; several owners (one per subgraph served in the process, say)
 * may read into the same metric, each under labels of its own. A counter's reader must never go
 * down.
 */
export function readOnScrape<L extends string>(kind: 'counter' | 'gauge', definition: MetricDefinition<L>, read: ScrapeReader<L>, on: Registry = processRegistry()): void {
  let metric = on.getSingleMetric(definition.name) as Counter<L> | Gauge<L> | undefined;
  if (!metric) {
    const readers = new Set<ScrapeReader<string>>();
    const config = { ...definition, labelNames: definition.labelNames ?? [], registers: [on] };
    metric =
      kind === 'counter'
        ? new Counter<L>({
            ...config,
            collect(this: Counter<L>) {
              this.reset();
              for (const reader of readers) for (const [labels, value] of reader()) this.inc(labels as LabelValues<L>, value);
            },
          })
        : new Gauge<L>({
            ...config,
            collect(this: Gauge<L>) {
              this.reset();
              for (const reader of readers) for (const [labels, value] of reader()) this.set(labels as LabelValues<L>, value);
            },
          });
    scrapeReaders.set(metric, readers);
  }
  const readers = scrapeReaders.get(metric);
  if (!readers) throw new Error(`${definition.name} is not read on scrape: it was made another way`);
  readers.add(read as ScrapeReader<string>);
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
  return histogram({ name: 'meg_request_duration_seconds', help: "Time from a request's receipt to its answer, by channel and outcome.", labelNames: ['channel', 'outcome'] }, on);
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
      help: "Time of each round trip to a database, by store and SQL keyword (a request's gathered statements travel as one).",
      labelNames: ['store', 'operation'],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1, 5],
    },
    on,
  );
}

/** `meg_sql_statements_total{store,table}`: statements issued by data sources, by the table each reads, as `read` counts them. */
export function sqlStatementsTotal(read: ScrapeReader<'store' | 'table'>, on?: Registry): void {
  readOnScrape('counter', { name: 'meg_sql_statements_total', help: 'Statements issued by data sources, by store and the table each reads.', labelNames: ['store', 'table'] }, read, on);
}
