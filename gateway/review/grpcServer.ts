/**
 * The joint review over gRPC (meg.review.v1.JointReviewService, protos/meg/review/v1), with the
 * standard health service and server reflection so stock tools can call it. Callers authenticate
 * with the same access token as on GraphQL (metadata `authorization`, `x-purpose`); the call's
 * deadline bounds every agency fetch, and cancelling the call cancels them.
 */
import * as grpc from '@grpc/grpc-js';
import { ReflectionService } from '@grpc/reflection';
import { HealthImplementation } from 'grpc-health-check';
import { checkUscc } from '../../platform/domain/uscc.js';
import { MAX_CODES_PER_REQUEST } from '../../platform/domain/codeLists.js';
import type { AuditOutcome } from '../audit/auditLog.js';
import type { AuditRecorder } from '../audit/auditRecorder.js';
import type { OnBehalfOf } from '../pipeline/internalOperation.js';
import type { Authenticated, Refused } from '../auth/authenticate.js';
import type { RateDecision } from '../rateLimit.js';
import { SubgraphWait } from '../subgraphFetcher.js';
import type { FieldDecision, Principal } from '../policy/accessPolicy.js';
import type { AgencyFinding as ProtoAgencyFinding } from '../generated/proto/meg/review/v1/AgencyFinding.js';
import type { JointReviewServiceHandlers } from '../generated/proto/meg/review/v1/JointReviewService.js';
import type { Matter__Output as ProtoMatter } from '../generated/proto/meg/review/v1/Matter.js';
import type { MeasureFinding as ProtoMeasureFinding } from '../generated/proto/meg/review/v1/MeasureFinding.js';
import type { ReviewBatchRequest__Output } from '../generated/proto/meg/review/v1/ReviewBatchRequest.js';
import type { ReviewRequest__Output } from '../generated/proto/meg/review/v1/ReviewRequest.js';
import type { Verdict as ProtoVerdict } from '../generated/proto/meg/review/v1/Verdict.js';
import { CREDIT_EVENT_SERVICE, JOINT_REVIEW_SERVICE, loadEventsProto, loadReviewProto } from './reviewProto.js';
import type { CreditEvents } from '../events/creditEvents.js';
import { CallAdmission, callStatus as status } from '../grpcAdmission.js';
import { MATTERS, type Matter, type MeasureFinding } from './reviewPolicy.js';
import type { AgencyFinding, ReviewService, RunOperation, Verdict } from './reviewService.js';

/** Options of {@link startReviewGrpcServer}. */
export interface ReviewGrpcOptions {
  readonly host: string;
  readonly port: number;
  readonly service: ReviewService;
  readonly authenticate: (headers: Record<string, string | undefined>) => Promise<Authenticated | Refused>;
  /** The caller's rate limit (refused calls are RESOURCE_EXHAUSTED). */
  readonly rateLimit: (principal: Principal) => Promise<RateDecision>;
  /** The limit on calls refused before authentication, per peer address (each refusal writes a record). */
  readonly refusalLimit: (peer: string) => Promise<RateDecision>;
  /**
   * The access policy's decision on the GraphQL field a call stands for (`Query.jointReview` or
   * `Query.jointReviewBatch`): one rule decides who may review, whichever door the caller uses.
   */
  readonly decide: (principal: Principal, purpose: string | null, coordinate: string) => FieldDecision;
  /**
   * Runs a fact query through the gateway as `principal` acting for `purpose`, noting decisions
   * in `audit` and the time spent on subgraphs in `wait`.
   */
  readonly runAs: (onBehalfOf: OnBehalfOf) => RunOperation;
  /**
   * How long before the caller's deadline the agencies still unanswered are given up, to leave
   * time to record the call and send the UNAVAILABLE findings and the verdict (MEG_REVIEW_DEADLINE_MARGIN_MS).
   */
  readonly deadlineMarginMs: number;
  /** Sends a `server-timing` trailer with the time the call waited on its subgraphs (MEG_SERVER_TIMING). */
  readonly serverTiming?: boolean;
  /** Records calls in the access log; a verdict is released only once its call is on record. */
  readonly recorder: AuditRecorder;
  /** The credit events' Watch, served beside the review (meg.events.v1.CreditEventService). */
  readonly events?: CreditEvents;
}

/** A running gRPC server. */
export interface RunningGrpcServer {
  readonly port: number;
  /** Reports NOT_SERVING to health checks while still taking calls. */
  drain(): void;
  /** Reports NOT_SERVING, lets calls under way finish, then stops. */
  stop(): Promise<void>;
}

/** Starts the JointReviewService with health and reflection. */
export async function startReviewGrpcServer(options: ReviewGrpcOptions): Promise<RunningGrpcServer> {
  const { definition, proto } = loadReviewProto();
  const eventsProto = loadEventsProto();
  const server = new grpc.Server({
    'grpc.max_receive_message_length': 1024 * 1024,
    'grpc.max_send_message_length': 32 * 1024 * 1024,
  });
  const health = new HealthImplementation({ '': 'SERVING', [JOINT_REVIEW_SERVICE]: 'SERVING', [CREDIT_EVENT_SERVICE]: 'SERVING' });
  health.addToServer(server);
  new ReflectionService({ ...definition, ...eventsProto.definition }).addToServer(server);

  /** Authenticates and validates a call, or answers its error status. */
  const prepare = async (call: ReviewCall, method: ReviewMethod): Promise<Prepared | grpc.StatusObject> => {
    const { coordinate, codes } = method;
    const admission = new CallAdmission(call, options, method.name);
    const { operation } = admission;
    const { requestId, audit } = operation;
    const checked = await check();
    if ('code' in checked) return admission.refuse(checked);
    return checked;

    async function check(): Promise<Prepared | { code: grpc.status; details: string }> {
      const deadlineMs = deadlineOf(call);
      if (deadlineMs === null) return status(grpc.status.INVALID_ARGUMENT, 'a joint review needs a deadline (grpc-timeout): without one a caller could wait for ever');
      const refused = await admission.authenticate('the joint review');
      if (refused) return refused;
      const principal = admission.principal!;
      const purpose = admission.purpose;
      const decision = options.decide(principal, purpose, coordinate);
      audit.addDecisions(new Map([[coordinate, decision]]));
      if (decision.effect !== 'ALLOW') return status(grpc.status.PERMISSION_DENIED, `${coordinate} is not shared with this caller: ${decision.reason}`);
      const matter = typeof method.matter === 'string' ? method.matter.replace(/^MATTER_/, '') : '';
      if (!isMatter(matter)) {
        return status(grpc.status.INVALID_ARGUMENT, `matter must be one of ${MATTERS.map((m) => `MATTER_${m}`).join(', ')}`);
      }
      let asOf: string;
      try {
        asOf = options.service.dayOf(method.asOf);
      } catch (error) {
        return status(grpc.status.INVALID_ARGUMENT, (error as Error).message);
      }
      if (codes.length === 0) return status(grpc.status.INVALID_ARGUMENT, 'at least one unified social credit code is needed');
      if (codes.length > MAX_CODES_PER_REQUEST) return status(grpc.status.INVALID_ARGUMENT, `at most ${MAX_CODES_PER_REQUEST} codes may be reviewed at once, not ${codes.length}`);
      for (const [i, code] of codes.entries()) {
        const problem = checkUscc(code);
        if (problem) return status(grpc.status.INVALID_ARGUMENT, codes.length > 1 ? `uscc[${i}]: ${problem.message}` : problem.message);
      }
      // The call runs: the enterprises it names are asked for (a refused call read nothing, and names none).
      audit.touch(codes);
      const controller = new AbortController();
      const timer = setTimeout(() => controller.abort(), Math.max(0, deadlineMs - Date.now() - options.deadlineMarginMs));
      const onCancel = () => controller.abort();
      call.on('cancelled', onCancel);
      const wait = new SubgraphWait();
      return {
        matter,
        asOf,
        run: options.runAs({ requestId, principal, purpose, audit, wait, recordDay: asOf }),
        trailers: () => {
          const metadata = new grpc.Metadata();
          if (options.serverTiming) metadata.set('server-timing', wait.serverTiming());
          return metadata;
        },
        signal: controller.signal,
        done: () => {
          clearTimeout(timer);
          call.off('cancelled', onCancel);
        },
        record: (outcome: AuditOutcome, detail?: string) => options.recorder.answered({ ...operation, principal, purpose, outcome, ...(detail ? { detail } : {}) }),
      };
    }
  };

  /**
   * The one path of a call, whichever the method: prepared (or refused, on record), reviewed,
   * recorded, and only then answered. A review that fails is recorded as an error and answered
   * INTERNAL; one that cannot be recorded gives no verdict at all (UNAVAILABLE), since a verdict
   * the access log does not hold would be a read no auditor can find.
   */
  const reviewRecorded = async (call: ReviewCall, method: ReviewMethod): Promise<void> => {
    const prepared = await prepare(call, method);
    if ('code' in prepared) return method.fail(prepared);
    let verdicts: Verdict[];
    try {
      verdicts = await options.service.review(method.codes, prepared.matter, prepared.asOf, prepared.run, prepared.signal, method.onFinding);
    } catch (error) {
      prepared.done();
      await prepared.record('error', (error as Error).message).catch(() => {});
      return method.fail(status(grpc.status.INTERNAL, `the review failed: ${(error as Error).message}`));
    }
    prepared.done();
    try {
      await prepared.record(verdicts.some((v) => v.unavailable.length > 0 || v.withheld.length > 0) ? 'partial' : 'ok');
    } catch {
      return method.fail(status(grpc.status.UNAVAILABLE, method.unrecorded));
    }
    method.answer(verdicts, prepared.trailers());
  };

  const handlers: JointReviewServiceHandlers = {
    // Findings are streamed as the agencies answer, then the verdict. Nothing is written to a
    // call its caller cancelled.
    Review: (call) => {
      void reviewRecorded(call, {
        name: 'JointReviewService/Review',
        coordinate: 'Query.jointReview',
        codes: [call.request.uscc],
        matter: call.request.matter,
        asOf: call.request.asOf,
        onFinding: (finding) => {
          if (!call.cancelled) call.write({ finding: toProtoFinding(finding) });
        },
        unrecorded: UNRECORDED_VERDICT,
        answer: (verdicts, trailers) => {
          if (call.cancelled) return;
          for (const verdict of verdicts) call.write({ verdict: toProtoVerdict(verdict, false) });
          call.end(trailers);
        },
        fail: (error) => {
          if (!call.cancelled) call.emit('error', error);
        },
      });
    },
    // One answer with every verdict, each with its findings.
    ReviewBatch: (call, callback) => {
      void reviewRecorded(call, {
        name: 'JointReviewService/ReviewBatch',
        coordinate: 'Query.jointReviewBatch',
        codes: call.request.uscc,
        matter: call.request.matter,
        asOf: call.request.asOf,
        unrecorded: UNRECORDED_VERDICTS,
        answer: (verdicts, trailers) => callback(null, { verdicts: verdicts.map((v) => toProtoVerdict(v, true)) }, trailers),
        fail: (error) => callback(error),
      });
    },
  };
  server.addService(proto.meg.review.v1.JointReviewService.service, handlers);
  if (options.events) server.addService(eventsProto.proto.meg.events.v1.CreditEventService.service, options.events.handlers());

  const port = await new Promise<number>((resolve, reject) => {
    server.bindAsync(`${options.host}:${options.port}`, grpc.ServerCredentials.createInsecure(), (error, bound) => (error ? reject(error) : resolve(bound)));
  });

  const notServing = () => {
    health.setStatus('', 'NOT_SERVING');
    health.setStatus(JOINT_REVIEW_SERVICE, 'NOT_SERVING');
    health.setStatus(CREDIT_EVENT_SERVICE, 'NOT_SERVING');
  };
  return {
    port,
    drain: notServing,
    async stop() {
      notServing();
      await new Promise<void>((resolve) => {
        const force = setTimeout(() => {
          server.forceShutdown();
          resolve();
        }, 10_000);
        server.tryShutdown(() => {
          clearTimeout(force);
          resolve();
        });
      });
    },
  };
}

/** Refusals of a call reviewed but not recorded: its verdicts are not given. */
const UNRECORDED_VERDICT = 'the review could not be recorded, so its verdict is not given; try again later';
const UNRECORDED_VERDICTS = 'the review could not be recorded, so its verdicts are not given; try again later';

/** A call of either method, as far as the path every call takes sees it. */
type ReviewCall = grpc.ServerUnaryCall<ReviewRequest__Output | ReviewBatchRequest__Output, unknown>;

/** What is particular to one method of the service; the rest of a call is the path they share. */
interface ReviewMethod {
  /** The method, as the access log names it. */
  readonly name: string;
  /** The GraphQL field the method stands for, on which the access policy decides. */
  readonly coordinate: string;
  /** The codes asked for, in order. */
  readonly codes: readonly string[];
  /** The matter asked for; a value the contract does not name arrives as its number. */
  readonly matter: ProtoMatter | number;
  /** The day asked for (YYYY-MM-DD), or empty for today. */
  readonly asOf: string;
  /** Hears each agency's finding as soon as that agency answered. */
  readonly onFinding?: (finding: AgencyFinding) => void;
  /** The UNAVAILABLE details when the call cannot be recorded. */
  readonly unrecorded: string;
  /** Answers the verdicts, once the call is on record, with the call's trailers. */
  readonly answer: (verdicts: readonly Verdict[], trailers: grpc.Metadata) => void;
  /** Answers an error status. */
  readonly fail: (error: grpc.StatusObject) => void;
}

/** A call that passed authentication and validation. */
interface Prepared {
  readonly matter: Matter;
  /** The day the review is made as of. */
  readonly asOf: string;
  readonly run: RunOperation;
  /** Trailing metadata for a successful call. */
  readonly trailers: () => grpc.Metadata;
  readonly signal: AbortSignal;
  readonly done: () => void;
  readonly record: (outcome: AuditOutcome, detail?: string) => Promise<void>;
}

function isMatter(name: string): name is Matter {
  return (MATTERS as readonly string[]).includes(name);
}

/** The call's deadline in epoch milliseconds, or null when the caller set none. */
function deadlineOf(call: ReviewCall): number | null {
  const deadline = call.getDeadline();
  if (deadline instanceof Date) return deadline.getTime();
  return typeof deadline === 'number' && Number.isFinite(deadline) ? deadline : null;
}

function toProtoMeasure(m: MeasureFinding): ProtoMeasureFinding {
  return {
    measure: `MEASURE_${m.measure}`,
    rule: m.rule,
    legalBasis: m.legalBasis,
    evidence: m.evidence.map((e) => ({
      kind: e.kind,
      reference: String(e.reference ?? ''),
      date: e.date ?? '',
      detail: e.detail ?? '',
      inForceFrom: e.inForceFrom ?? '',
      inForceUntil: e.inForceUntil ?? '',
    })),
    agency: `AGENCY_${m.agency}`,
  };
}

function toProtoFinding(f: AgencyFinding): ProtoAgencyFinding {
  return {
    uscc: f.uscc,
    agency: `AGENCY_${f.agency}`,
    status: `FINDING_STATUS_${f.status}`,
    measures: f.measures.map(toProtoMeasure),
    detail: f.detail,
    withheldCoordinates: [...f.withheld],
  };
}

function toProtoVerdict(v: Verdict, withFindings: boolean): ProtoVerdict {
  return {
    uscc: v.uscc,
    matter: `MATTER_${v.matter}`,
    outcome: `OUTCOME_${v.outcome}`,
    measures: v.measures.map(toProtoMeasure),
    findings: withFindings ? v.findings.map(toProtoFinding) : [],
    unavailable: v.unavailable.map((a) => `AGENCY_${a}` as const),
    withheld: v.withheld.map((w) => ({ agency: `AGENCY_${w.agency}`, rule: w.rule, coordinates: [...w.coordinates] })),
    policyRevision: v.policyRevision,
    reviewedAt: v.reviewedAt,
    asOf: v.asOf,
  };
}
