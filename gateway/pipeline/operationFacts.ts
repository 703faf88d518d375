/**
 * Notes, in the request's scope, what Apollo Server resolved and how the operation ended, from the
 * response as Apollo holds it (structured, before it is serialized): what the audit record says
 * about the operation comes from here, never from reading the answer's text back.
 */
import type { ApolloServerPlugin } from '@apollo/server';
import type { AuditOutcome } from '../audit/auditLog.js';
import type { RequestScope } from './requestScope.js';

/** The operation-facts plugin. */
export function operationFactsPlugin(): ApolloServerPlugin<RequestScope> {
  return {
    async requestDidStart() {
      let executed = false;
      return {
        async didResolveOperation({ operationName, contextValue }) {
          contextValue.facts.operationName = operationName ?? null;
        },
        async executionDidStart() {
          executed = true;
        },
        async willSendResponse({ response, contextValue }) {
          const result = response.body.kind === 'single' ? response.body.singleResult : response.body.initialResult;
          contextValue.facts.outcome = outcomeOf(executed, response.http.status ?? 200, result.data, result.errors?.length ?? 0);
          const code = result.errors?.[0]?.extensions?.['code'];
          contextValue.facts.code = typeof code === 'string' ? code : null;
        },
      };
    },
  };
}

/**
 * How an operation ended. One that was executed: error when it produced no data at all, partial
 * with errors beside its data (a field denied, an agency down), else ok. One that was not: error
 * when the gateway failed (5xx), refused when its own checks turned it away (parse, validation,
 * limits: an answer without data).
 */
export function outcomeOf(executed: boolean, status: number, data: unknown, errors: number): AuditOutcome {
  if (executed) return data === null || data === undefined ? 'error' : errors > 0 ? 'partial' : 'ok';
  if (status >= 500) return 'error';
  if (status >= 400 || data === null || data === undefined) return 'refused';
  return errors > 0 ? 'partial' : 'ok';
}
