/**
 * How the gateway talks to subgraphs: a pool of keep-alive connections per agency (undici), a
 * deadline per fetch, and the gateway's signature on every request (see
 * platform/trust/gatewaySignature.ts) so that the agencies answer only what came through the
 * policy.
 *
 * This is a GraphQLDataSource of its own rather than Apollo's RemoteGraphQLDataSource: that one
 * builds a fetch Request and Headers object per fetch for hooks this gateway does not use, which
 * cost a measurable share of the CPU per request (bench/). A failed fetch becomes one error that
 * names the agency and says what happened, never the network library's message.
 */
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GraphQLError, Kind, OperationTypeNode } from 'graphql';
import { Pool, errors as undiciErrors } from 'undici';
import { CircuitBreaker, RetryBudget, type BreakerOptions } from './resilience.js';
import { encodeCallerContext, signEncodedRequest, type CallerContext } from '../platform/trust/gatewaySignature.js';
import { subgraphFetchSeconds, type HistogramSeries } from '../platform/observability/metrics.js';
import { injectTraceHeaders, SpanKind, withSpan } from '../platform/observability/tracing.js';

/** What the gateway's per-request context carries for subgraph fetches. */
export interface ForwardingContext {
  readonly caller: CallerContext;
  /** Aborts the request's subgraph fetches: the client went away, or its deadline passed. */
  readonly signal?: AbortSignal;
  /** Measures how long the request waited on its subgraphs. */
  readonly wait?: SubgraphWait;
}

/**
 * The time a request spent with at least one subgraph fetch under way: the agencies' share of
 * its latency as the gateway sees it (network and the agencies' queues included). Fetches that
 * overlap count once, so for fetches in parallel it is the slowest one's time. The request's
 * latency less this is the gateway's own time.
 */
export class SubgraphWait {
  private inFlight = 0;
  private since = 0;
  private totalMs = 0;

  /** `now`: the clock in milliseconds (tests inject one). */
  constructor(private readonly now: () => number = () => performance.now()) {}

  begin(): void {
    if (this.inFlight++ === 0) this.since = this.now();
  }

  end(): void {
    if (--this.inFlight === 0) this.totalMs += this.now() - this.since;
  }

  /** Milliseconds waited so far. */
  get ms(): number {
    return this.totalMs + (this.inFlight > 0 ? this.now() - this.since : 0);
  }

  /** A Server-Timing metric of the wait (RFC: W3C Server Timing), e.g. `subgraphs;dur=3.21`. */
  serverTiming(): string {
    return `subgraphs;dur=${this.ms.toFixed(2)}`;
  }
}

/** Options of {@link SignedSubgraphSource}. */
export interface SignedSubgraphSourceOptions {
  readonly name: string;
  readonly url: string;
  /** The key agreed with this subgraph (requestSigningKey). */
  readonly signingKey: Buffer;
  readonly timeoutMs: number;
  readonly connections: number;
  /** When to stop asking an agency that keeps failing, and for how long. */
  readonly breaker: BreakerOptions;
  /** Retries of queries, as a share of requests (0 disables them). */
  readonly retryRatio: number;
}

/** The error codes a caller can see for an agency that did not answer. */
export type SubgraphFailureCode = 'SUBGRAPH_TIMEOUT' | 'SUBGRAPH_UNAVAILABLE' | 'SUBGRAPH_CIRCUIT_OPEN' | 'SUBGRAPH_REFUSED' | 'SUBGRAPH_BAD_RESPONSE' | 'REQUEST_TIMEOUT' | 'REQUEST_CANCELLED';

/** An agency's fetch that failed: the fields it owns are null, this error says why. */
export function subgraphFailure(service: string, code: SubgraphFailureCode, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, service } });
}

/** A subgraph data source that signs what it sends and reuses its connections. */
export class SignedSubgraphSource implements GraphQLDataSource<ForwardingContext> {
  private readonly pool: Pool;
  private readonly path: string;
  /** Open while the agency keeps failing: its fields are null at once, without asking it. */
  readonly breaker: CircuitBreaker;
  private readonly retries: RetryBudget;
  /** Fetch times by outcome (looked up once: a fetch observes into an array). */
  private readonly timings: { readonly ok: HistogramSeries; readonly failed: HistogramSeries };

  constructor(private readonly options: SignedSubgraphSourceOptions) {
    const url = new URL(options.url);
    this.path = url.pathname + url.search;
    this.pool = new Pool(url.origin, {
      connections: options.connections,
      keepAliveTimeout: 30_000,
      // The deadline of one fetch: the agency answers (headers, then its small JSON body) within it.
      headersTimeout: options.timeoutMs,
      bodyTimeout: options.timeoutMs,
    });
    this.breaker = new CircuitBreaker(options.breaker);
    this.retries = new RetryBudget(options.retryRatio);
    const fetchSeconds = subgraphFetchSeconds();
    this.timings = { ok: fetchSeconds.series({ subgraph: options.name, outcome: 'ok' }), failed: fetchSeconds.series({ subgraph: options.name, outcome: 'failed' }) };
  }

  /** The subgraph this source fetches from. */
  get name(): string {
    return this.options.name;
  }

  async process(options: GraphQLDataSourceProcessOptions<ForwardingContext>): Promise<GatewayGraphQLResponse> {
    const { name } = this.options;
    // A health check or schema load carries no request context; this gateway sends neither.
    if (!('incomingRequestContext' in options)) throw new Error(`internal: a ${options.kind} request to the ${name} subgraph`);
    const { caller, signal, wait } = options.context;
    if (!caller) throw new Error(`internal: a request to the ${name} subgraph without caller context`);
    const { query, variables, operationName, extensions } = options.request;
    if (!query) throw new Error(`internal: a request to the ${name} subgraph without a query`);
    const body = JSON.stringify({ query, variables, operationName, extensions });
    const context = encodeCallerContext(caller);

    // Only reads may be sent twice; the gateway sends agencies nothing else today, but says so.
    const { document } = options;
    const operation = document?.definitions.find((d) => d.kind === Kind.OPERATION_DEFINITION);
    const isQuery = operation?.kind === Kind.OPERATION_DEFINITION && operation.operation === OperationTypeNode.QUERY;
    this.retries.deposit();
    wait?.begin();
    const began = performance.now();
    try {
      const answer = await withSpan(`fetch ${name}`, { 'meg.subgraph': name }, () => this.attempts(body, context, signal, isQuery), { kind: SpanKind.CLIENT });
      this.timings.ok.observe((performance.now() - began) / 1000);
      return answer;
    } catch (error) {
      this.timings.failed.observe((performance.now() - began) / 1000);
      throw error;
    } finally {
      wait?.end();
    }
  }

  /** Sends the request, retrying a query once when its connection failed or it got a 5xx without a GraphQL body. */
  private async attempts(body: string, context: string, signal: AbortSignal | undefined, isQuery: boolean): Promise<GatewayGraphQLResponse> {
    const { name } = this.options;
    for (let attempt = 1; ; attempt++) {
      if (!this.breaker.tryAcquire()) {
        throw subgraphFailure(name, 'SUBGRAPH_CIRCUIT_OPEN', `the ${name} subgraph keeps failing; the gateway asks it again in ${Math.ceil(this.breaker.retryInMs() / 1000)} s`);
      }
      try {
        // Signed for each attempt: a signature is good for one request only (replay protection).
        const signed = signEncodedRequest(this.options.signingKey, { method: 'POST', path: this.path, body }, context);
        const result = await this.send(body, signed, signal);
        this.breaker.success();
        return result;
      } catch (error) {
        if (signal?.aborted) {
          this.breaker.release();
          throw this.cancelled(signal);
        }
        const failure = error instanceof GraphQLError ? error : this.failure(error);
        // An agency that answers, even with a refusal, is up; one that does not is failing.
        const down = failure.extensions['code'] === 'SUBGRAPH_UNAVAILABLE' || failure.extensions['code'] === 'SUBGRAPH_TIMEOUT';
        if (down) this.breaker.failure();
        else this.breaker.success();
        // A connection refused or reset, or a 5xx without a GraphQL body (a proxy in front of a
        // failing agency), may be retried once, for a query, within the budget. Not a timeout:
        // the agency may still be working on it.
        const retriable = down && failure.extensions['code'] === 'SUBGRAPH_UNAVAILABLE' && isQuery && attempt === 1;
        if (!retriable || !this.retries.withdraw()) throw failure;
      }
    }
  }

  private async send(body: string, signed: Record<string, string>, signal: AbortSignal | undefined): Promise<GatewayGraphQLResponse> {
    const { name } = this.options;
    const response = await this.pool.request({
      method: 'POST',
      path: this.path,
      // The trace goes on to the agency (traceparent is not signed: it carries no authority).
      headers: injectTraceHeaders({ 'content-type': 'application/json', accept: 'application/json', ...signed }),
      body,
      ...(signal ? { signal } : {}),
    });
    const text = await response.body.text();
    if (response.statusCode === 401 || response.statusCode === 403) {
      throw subgraphFailure(name, 'SUBGRAPH_REFUSED', `the ${name} subgraph refused the gateway's request (${response.statusCode})`);
    }
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed) || !('data' in parsed || 'errors' in parsed)) {
      // A 5xx without a GraphQL body is an agency in trouble, as a refused connection is.
      if (response.statusCode >= 500) throw subgraphFailure(name, 'SUBGRAPH_UNAVAILABLE', `the ${name} subgraph failed (${response.statusCode})`);
      throw subgraphFailure(name, 'SUBGRAPH_BAD_RESPONSE', `the ${name} subgraph answered ${response.statusCode} without a GraphQL response`);
    }
    return parsed as GatewayGraphQLResponse;
  }

  private cancelled(signal: AbortSignal): GraphQLError {
    const { name } = this.options;
    if ((signal.reason as Error | undefined)?.name === 'TimeoutError') {
      return subgraphFailure(name, 'REQUEST_TIMEOUT', `the request ran out of time before the ${name} subgraph answered`);
    }
    return subgraphFailure(name, 'REQUEST_CANCELLED', `the request was cancelled before the ${name} subgraph answered`);
  }

  /** Closes the pool's connections. */
  close(): Promise<void> {
    return this.pool.close();
  }

  private failure(error: unknown): GraphQLError {
    const { name, timeoutMs } = this.options;
    if (error instanceof undiciErrors.HeadersTimeoutError || error instanceof undiciErrors.BodyTimeoutError) {
      return subgraphFailure(name, 'SUBGRAPH_TIMEOUT', `the ${name} subgraph did not answer within ${timeoutMs} ms`);
    }
    return subgraphFailure(name, 'SUBGRAPH_UNAVAILABLE', `the ${name} subgraph is unavailable`);
  }
}
