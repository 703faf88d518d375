/**
 * The scope of one GraphQL operation at the gateway: who asks and for what, its deadline, and
 * what it has done so far. It is Apollo's context value, so every step reads the same object: the
 * limits, the policy's decide-and-prune and mask, the fetches to the agencies (each of which sees
 * only the narrow view it needs: PolicyContext, ForwardingContext), the in-process review and
 * audit subgraphs' resolvers, and the record written at the end.
 */
import type { AuditOutcome } from '../audit/auditLog.js';
import type { AuditScope } from '../audit/auditScope.js';
import type { PolicyContext } from '../policy/enforcingGateway.js';
import type { ForwardingContext, SubgraphWait } from '../subgraphFetcher.js';

/** What Apollo resolved and how the operation ended, noted by the operation-facts plugin. */
export interface OperationFacts {
  /** The operation's name as the server resolved it (null when it has none, or none was resolved). */
  operationName: string | null;
  /** How the operation ended, once Apollo has its response; null when it never reached Apollo's pipeline. */
  outcome: AuditOutcome | null;
  /** The code of the answer's first error, if it has one (for metrics and logs). */
  code: string | null;
}

/** The scope of one GraphQL operation. */
export interface RequestScope extends ForwardingContext, PolicyContext {
  readonly requestId: string;
  /** Aborts the operation's work: the client went away, or its deadline passed. */
  readonly signal: AbortSignal;
  readonly audit: AuditScope;
  readonly wait: SubgraphWait;
  /** The gateway's own operations (a review's fact queries): fixed, so not held to the callers' limits. */
  readonly internal: boolean;
  readonly facts: OperationFacts;
}
