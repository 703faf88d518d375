/**
 * How the gateway talks to subgraphs: keep-alive connections, a deadline per fetch, and the
 * gateway's signature on every request (see subgraphs/shared/gatewaySignature.ts) so that the
 * agencies answer only what came through the policy.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import http from 'node:http';
import https from 'node:https';
import type { KeyObject } from 'node:crypto';
import { RemoteGraphQLDataSource, type GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import fetch, { type RequestInit } from 'node-fetch';
import { CONTEXT_HEADER, encodeCallerContext, signEncodedRequest, type CallerContext } from '../subgraphs/shared/gatewaySignature.js';

/** What the gateway's per-request context carries for subgraph fetches. */
export interface ForwardingContext {
  readonly caller: CallerContext;
  /** Aborts the request's subgraph fetches: the client went away, or its deadline passed. */
  readonly signal?: AbortSignal;
}

/** The signal of the request a subgraph fetch is made for (the fetcher sees no context). */
const fetchScope = new AsyncLocalStorage<AbortSignal | undefined>();

/** Options of {@link SignedSubgraphSource}. */
export interface SignedSubgraphSourceOptions {
  readonly name: string;
  readonly url: string;
  readonly signingKey: KeyObject;
  readonly timeoutMs: number;
  readonly connections: number;
}

/** A subgraph data source that signs what it sends and reuses its connections. */
export class SignedSubgraphSource extends RemoteGraphQLDataSource<ForwardingContext & Record<string, unknown>> {
  constructor(options: SignedSubgraphSourceOptions) {
    const agentOptions = { keepAlive: true, keepAliveMsecs: 30_000, maxSockets: options.connections, maxFreeSockets: options.connections };
    const agent = options.url.startsWith('https:') ? new https.Agent(agentOptions) : new http.Agent(agentOptions);
    const path = new URL(options.url).pathname;
    super({
      url: options.url,
      fetcher: (async (url: string, init: RequestInit & { headers: Record<string, string>; body: string }) => {
        const context = init.headers[CONTEXT_HEADER];
        if (!context) throw new Error('internal: a subgraph request without caller context');
        const signed = signEncodedRequest(options.signingKey, { method: 'POST', path, body: init.body }, context);
        const timeout = AbortSignal.timeout(options.timeoutMs);
        const requestSignal = fetchScope.getStore();
        return fetch(url, {
          ...init,
          headers: { ...init.headers, ...signed },
          agent,
          signal: requestSignal ? AbortSignal.any([timeout, requestSignal]) : timeout,
        });
      }) as never,
    });
  }

  /** Runs the fetch in the scope of its request's abort signal. */
  override process(options: GraphQLDataSourceProcessOptions<ForwardingContext & Record<string, unknown>>) {
    return fetchScope.run(options.context.signal, () => super.process(options));
  }

  /** Puts the caller context on the request; the fetcher signs it together with the body. */
  override willSendRequest({ request, context }: GraphQLDataSourceProcessOptions<ForwardingContext & Record<string, unknown>>): void {
    const caller = context.caller;
    request.http?.headers.set(CONTEXT_HEADER, encodeCallerContext(caller));
  }
}
