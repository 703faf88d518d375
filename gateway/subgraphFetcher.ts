/**
 * How the gateway talks to subgraphs: a pool of keep-alive connections per agency (undici), a
 * deadline per fetch, and the gateway's signature on every request (see
 * subgraphs/shared/gatewaySignature.ts) so that the agencies answer only what came through the
 * policy.
 *
 * This is a GraphQLDataSource of its own rather than Apollo's RemoteGraphQLDataSource: that one
 * builds a fetch Request and Headers object per fetch for hooks this gateway does not use, which
 * cost a measurable share of the CPU per request (bench/). A failed fetch becomes one error that
 * names the agency and says what happened, never the network library's message.
 */
import type { KeyObject } from 'node:crypto';
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { GraphQLError } from 'graphql';
import { Pool, errors as undiciErrors } from 'undici';
import { encodeCallerContext, signEncodedRequest, type CallerContext } from '../subgraphs/shared/gatewaySignature.js';

/** What the gateway's per-request context carries for subgraph fetches. */
export interface ForwardingContext {
  readonly caller: CallerContext;
  /** Aborts the request's subgraph fetches: the client went away, or its deadline passed. */
  readonly signal?: AbortSignal;
}

/** Options of {@link SignedSubgraphSource}. */
export interface SignedSubgraphSourceOptions {
  readonly name: string;
  readonly url: string;
  readonly signingKey: KeyObject;
  readonly timeoutMs: number;
  readonly connections: number;
}

/** The error codes a caller can see for an agency that did not answer. */
export type SubgraphFailureCode = 'SUBGRAPH_TIMEOUT' | 'SUBGRAPH_UNAVAILABLE' | 'SUBGRAPH_REFUSED' | 'SUBGRAPH_BAD_RESPONSE';

/** An agency's fetch that failed: the fields it owns are null, this error says why. */
export function subgraphFailure(service: string, code: SubgraphFailureCode, message: string): GraphQLError {
  return new GraphQLError(message, { extensions: { code, service } });
}

type Context = ForwardingContext & Record<string, unknown>;

/** A subgraph data source that signs what it sends and reuses its connections. */
export class SignedSubgraphSource implements GraphQLDataSource<Context> {
  private readonly pool: Pool;
  private readonly path: string;

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
  }

  async process(options: GraphQLDataSourceProcessOptions<Context>): Promise<GatewayGraphQLResponse> {
    const { name } = this.options;
    const caller = options.context.caller as CallerContext | undefined;
    if (!caller) throw new Error(`internal: a request to the ${name} subgraph without caller context`);
    const { query, variables, operationName, extensions } = options.request;
    if (!query) throw new Error(`internal: a request to the ${name} subgraph without a query`);
    const body = JSON.stringify({ query, variables, operationName, extensions });
    const signed = signEncodedRequest(this.options.signingKey, { method: 'POST', path: this.path, body }, encodeCallerContext(caller));
    const signal = options.context.signal as AbortSignal | undefined;

    let response: Awaited<ReturnType<Pool['request']>>;
    try {
      response = await this.pool.request({
        method: 'POST',
        path: this.path,
        headers: { 'content-type': 'application/json', accept: 'application/json', ...signed },
        body,
        ...(signal ? { signal } : {}),
      });
    } catch (error) {
      throw this.failure(error);
    }
    let text: string;
    try {
      text = await response.body.text();
    } catch (error) {
      throw this.failure(error);
    }
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
      throw subgraphFailure(name, 'SUBGRAPH_BAD_RESPONSE', `the ${name} subgraph answered ${response.statusCode} without a GraphQL response`);
    }
    return parsed as GatewayGraphQLResponse;
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
    if (error instanceof undiciErrors.RequestAbortedError || (error as Error)?.name === 'AbortError') {
      return subgraphFailure(name, 'SUBGRAPH_UNAVAILABLE', `the request to the ${name} subgraph was cancelled`);
    }
    return subgraphFailure(name, 'SUBGRAPH_UNAVAILABLE', `the ${name} subgraph is unavailable`);
  }
}
