/**
 * The one place an access-log record is built, whichever door the request came through
 * (GraphQL, gRPC) and however it ended (answered, or refused before anything was read): who
 * asked, for what, which operation, what the policy decided, which enterprises it touched, and
 * the policy revision in force. The caller's own words in a record (operation name, detail) are
 * cut to a bounded length, so a record stays small whatever was sent.
 */
import type { Principal } from '../policy/accessPolicy.js';
import type { AuditEntry, AuditLog, AuditOutcome, Channel } from './auditLog.js';
import type { AuditScope } from './auditScope.js';
import { auditCommitSeconds } from '../../platform/observability/metrics.js';
import { withSpan } from '../../platform/observability/tracing.js';

/** What a record says about one request. */
export interface RequestRecord {
  readonly requestId: string;
  readonly channel: Channel;
  /** Null when the request was refused before its caller was known. */
  readonly principal: Principal | null;
  readonly purpose: string | null;
  readonly operationName: string | null;
  readonly operationHash: string | null;
  /** The decisions and enterprises the request gathered; none for a request refused before reading. */
  readonly audit?: AuditScope;
  readonly outcome: AuditOutcome;
  readonly detail?: string;
  /** The caller's address: recorded when who called is unknown. */
  readonly address?: string;
}

/** Longest detail kept in a record (a detail may quote what the caller sent). */
export const MAX_RECORDED_DETAIL = 500;

/** Longest operation name kept in a record: the name is the caller's, and a record stays small. */
export const MAX_RECORDED_NAME = 200;

/** Builds and appends the access log's records. */
export class AuditRecorder {
  /** How long a record takes to become durable (a group commit's time, seen by each record in it). */
  private readonly commitTime = auditCommitSeconds().series();

  /**
   * `onUnrecordedRefusal`: told when a refusal could not be recorded (a refusal is sent anyway).
   * `now`: the clock (tests inject one).
   */
  constructor(
    private readonly log: AuditLog,
    private readonly policyRevision: string,
    private readonly onUnrecordedRefusal: (record: RequestRecord, error: Error) => void,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /**
   * Appends the record of a request that is to be answered: it resolves once the record is
   * durable and rejects when it could not be written, in which case the answer is not given.
   */
  async answered(record: RequestRecord): Promise<void> {
    const stop = this.commitTime.startTimer();
    await withSpan('audit append', {}, () => this.log.append(this.entry(record)));
    stop();
  }

  /** Appends the record of a refusal; a refusal is sent whether or not it could be recorded. */
  async refused(record: RequestRecord): Promise<void> {
    try {
      const stop = this.commitTime.startTimer();
      await this.log.append(this.entry(record));
      stop();
    } catch (error) {
      this.onUnrecordedRefusal(record, error as Error);
    }
  }

  /** The entry for `record`. */
  entry(record: RequestRecord): AuditEntry {
    const { principal } = record;
    const writes = record.audit?.writes() ?? [];
    return {
      at: this.now().toISOString(),
      requestId: record.requestId,
      channel: record.channel,
      principal: principal ? { sub: principal.sub, agency: principal.agency, roles: [...principal.roles], region: principal.region } : { sub: null, agency: null, roles: [], region: null },
      purpose: record.purpose,
      operationName: bounded(record.operationName, MAX_RECORDED_NAME),
      operationHash: record.operationHash,
      enterprises: record.audit?.enterprises() ?? [],
      decisions: record.audit?.decisions() ?? [],
      ...(writes.length > 0 ? { writes } : {}),
      policyRevision: this.policyRevision,
      outcome: record.outcome,
      ...(record.detail ? { detail: bounded(record.detail, MAX_RECORDED_DETAIL)! } : {}),
      ...(record.address ? { address: record.address } : {}),
    };
  }
}

/** `text` cut to `max` characters (marked with an ellipsis when cut). */
function bounded(text: string | null, max: number): string | null {
  return text !== null && text.length > max ? `${text.slice(0, max)}…` : text;
}
