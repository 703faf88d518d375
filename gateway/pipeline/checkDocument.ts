/**
 * Step 3, the document's shape: its size, depth and aliases checked in one pass over its text,
 * before GraphQL parses and validates it (whose cost this bounds). The operation limits that need
 * the schema (cost, list sizes, introspection) follow in Apollo's pipeline (limitsPlugin.ts).
 */
import type { AuditRecorder } from '../audit/auditRecorder.js';
import type { DocumentChecker } from '../documentCheck.js';
import { errorAnswer, type Answer } from './exchange.js';
import type { ArrivedOperation } from './readRequest.js';
import type { RequestScope } from './requestScope.js';

/** The document step: the name its text gives the operation when it may go on, else the recorded refusal. */
export function documentShape(documents: DocumentChecker, recorder: AuditRecorder) {
  return async (scope: RequestScope, operation: ArrivedOperation): Promise<{ operationName: string | null } | Answer> => {
    if (operation.query === null) return { operationName: null };
    const document = documents.check(operation.query);
    if (!document.refusal) return { operationName: document.operationName };
    const code = String(document.refusal.extensions['code']);
    await recorder.refused({
      requestId: scope.requestId,
      channel: 'graphql',
      principal: scope.principal,
      purpose: scope.purpose,
      operationName: operation.operationName ?? document.operationName,
      operationHash: operation.operationHash,
      outcome: 'refused',
      detail: `${code}: ${document.refusal.message}`,
    });
    return errorAnswer(400, code, document.refusal.message);
  };
}
