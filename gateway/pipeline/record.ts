/**
 * Step 5, record: the access-log record of the operation, durable before the answer is released.
 * An answer whose record could not be written is not given (503 AUDIT_UNAVAILABLE).
 */
import type { AuditRecorder } from '../audit/auditRecorder.js';
import { errorAnswer, type Answer } from './exchange.js';
import type { Executed } from './execute.js';
import type { ArrivedOperation } from './readRequest.js';
import type { RequestScope } from './requestScope.js';

/** The record step: the answer to send once the record is durable, or the refusal to answer. */
export function recording(recorder: AuditRecorder, onUnrecorded: (requestId: string, error: Error) => void) {
  return async (scope: RequestScope, operation: ArrivedOperation, documentName: string | null, executed: Executed): Promise<Answer> => {
    try {
      await recorder.answered({
        requestId: scope.requestId,
        channel: 'graphql',
        principal: scope.principal,
        purpose: scope.purpose,
        operationName: scope.facts.operationName ?? operation.operationName ?? documentName,
        operationHash: operation.operationHash,
        audit: scope.audit,
        // Apollo's own refusals of a malformed HTTP request never reach its operation pipeline.
        outcome: scope.facts.outcome ?? (executed.status >= 500 ? 'error' : 'refused'),
      });
    } catch (error) {
      onUnrecorded(scope.requestId, error as Error);
      return errorAnswer(503, 'AUDIT_UNAVAILABLE', 'the access could not be recorded, so it is not answered; try again later', { 'retry-after': '5' });
    }
    return executed;
  };
}
