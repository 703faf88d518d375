/**
 * Step 4, execute: Apollo Server runs the operation in the request's scope. Inside it, in order:
 * parse and validate, the operation limits and the introspection rule (limitsPlugin.ts), the
 * policy's decide-and-prune, the query plan and the fetches to the agencies and the in-process
 * subgraphs, and the policy's masks on the answer (policy/enforcingGateway.ts); the
 * operation-facts plugin notes how it ended (operationFacts.ts).
 */
import { HeaderMap, type ApolloServer } from '@apollo/server';
import type { Authenticated } from '../auth/authenticate.js';
import { AuditScope } from '../audit/auditScope.js';
import { SubgraphWait } from '../subgraphFetcher.js';
import type { Principal } from '../policy/accessPolicy.js';
import type { RecordViews } from '../../platform/domain/recordView.js';
import type { CallerContext } from '../../platform/trust/gatewaySignature.js';
import type { Exchange } from './exchange.js';
import type { GraphQLHttpRequest } from './readRequest.js';
import type { RequestScope } from './requestScope.js';

/** What Apollo answered. */
export interface Executed {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** What decides which entries of the agencies' records a caller sees (AccessPolicy.recordViews). */
export type RecordViewsOf = (principal: Principal, purpose: string | null) => RecordViews;

/** The scope of an admitted request, its caller context carrying the record views `views` decides. */
export function requestScopes(views: RecordViewsOf) {
  return (exchange: Exchange, caller: Authenticated): RequestScope => requestScope(exchange, caller, views(caller.principal, caller.purpose));
}

function requestScope(exchange: Exchange, caller: Authenticated, recordViews: RecordViews): RequestScope {
  return {
    requestId: exchange.requestId,
    caller: callerContext(exchange.requestId, caller.principal, caller.purpose, recordViews),
    principal: caller.principal,
    purpose: caller.purpose,
    signal: exchange.abort.signal,
    audit: new AuditScope(),
    wait: new SubgraphWait(),
    internal: false,
    facts: { operationName: null, outcome: null, code: null },
  };
}

/** The execution step over `apollo` (started). */
export function execution(apollo: () => ApolloServer<RequestScope>) {
  return async (scope: RequestScope, request: GraphQLHttpRequest): Promise<Executed> => {
    const headers = new HeaderMap();
    for (const [name, value] of request.headers) headers.set(name, value);
    const response = await apollo().executeHTTPGraphQLRequest({
      httpGraphQLRequest: { method: request.method, headers, search: request.search, body: request.body },
      context: async () => scope,
    });
    let body: string;
    if (response.body.kind === 'complete') {
      body = response.body.string;
    } else {
      body = '';
      for await (const chunk of response.body.asyncIterator) body += chunk;
    }
    return { status: response.status ?? 200, headers: Object.fromEntries(response.headers), body };
  };
}

/** The context forwarded (signed) to the agencies: who asks and for what, rebuilt from the verified token. */
export function callerContext(requestId: string, principal: Principal, purpose: string | null, recordViews: RecordViews, recordDay?: string): CallerContext {
  return { requestId, sub: principal.sub, agency: principal.agency, roles: principal.roles, region: principal.region, purpose, recordViews, ...(recordDay ? { recordDay } : {}) };
}
