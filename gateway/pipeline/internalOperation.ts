/**
 * The gateway's own operations: the joint review gathers each agency's facts through this same
 * pipeline's execution (limits aside: its queries are fixed), as the reviewing caller, so the
 * caller's access policy decides what the review may read and the decisions go into the record
 * of the request the review belongs to.
 */
import type { ApolloServer } from '@apollo/server';
import type { AuditScope } from '../audit/auditScope.js';
import type { FieldDecision, Principal } from '../policy/accessPolicy.js';
import type { RunOperation } from '../review/reviewService.js';
import type { SubgraphWait } from '../subgraphFetcher.js';
import { callerContext, type RecordViewsOf } from './execute.js';
import type { RequestScope } from './requestScope.js';

/** Whose operation it is and what it belongs to. */
export interface OnBehalfOf {
  /** The id of the request the operation serves: the agencies see it in the signed context. */
  readonly requestId: string;
  readonly principal: Principal;
  readonly purpose: string | null;
  /** The record of the request the operation serves, where its decisions and enterprises go. */
  readonly audit: AuditScope;
  /** Where the time it waits on the agencies is counted. */
  readonly wait: SubgraphWait;
  /** The day the agencies' record is read as of (a joint review's day); today when absent. */
  readonly recordDay?: string;
}

/** Runs operations through `apollo` (started) on behalf of a caller. */
export function internalOperations(apollo: () => ApolloServer<RequestScope>, views: RecordViewsOf) {
  return (onBehalfOf: OnBehalfOf): RunOperation =>
    async (query, variables, signal) => {
      let decisions: ReadonlyMap<string, FieldDecision> = new Map();
      const scope: RequestScope = {
        requestId: onBehalfOf.requestId,
        caller: callerContext(onBehalfOf.requestId, onBehalfOf.principal, onBehalfOf.purpose, views(onBehalfOf.principal, onBehalfOf.purpose), onBehalfOf.recordDay),
        principal: onBehalfOf.principal,
        purpose: onBehalfOf.purpose,
        signal,
        audit: onBehalfOf.audit,
        wait: onBehalfOf.wait,
        internal: true,
        facts: { operationName: null, outcome: null, code: null },
        onDecisions: (decided) => void (decisions = decided),
      };
      const response = await apollo().executeOperation({ query, variables }, { contextValue: scope });
      if (response.body.kind !== 'single') throw new Error('unexpected incremental response');
      return { ...response.body.singleResult, decisions };
    };
}
