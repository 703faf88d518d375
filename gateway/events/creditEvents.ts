/**
 * The credit events of the stream MEG_CREDIT_EVENTS for callers, over one NATS connection:
 * meg.events.v1.CreditEventService/Watch (protos/meg/events/v1/credit_event_service.proto), the
 * events as they are recorded, for a list of codes or all, by kind, resumable from a sequence
 * number; and the history of one enterprise for the `creditEvents` query (eventsSubgraph.ts).
 *
 * - The caller authenticates as on GraphQL, and may watch if the policy gives it
 *   `Query.creditEvents` (the same rule decides both doors).
 * - Each event is shown as the caller's own policy shows its entry (eventView.ts); events it may
 *   not see are passed over.
 * - Each delivery is recorded in the access log, and sent only once its record is durable.
 * - The stream is read with an ordered consumer of the call's own, from the sequence asked: a
 *   subscriber that resumes after the last sequence it received misses nothing.
 */
import * as grpc from '@grpc/grpc-js';
import { DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { GraphQLError, type GraphQLSchema } from 'graphql';
import { MAX_CODES_PER_REQUEST } from '../../platform/domain/codeLists.js';
import { checkUscc } from '../../platform/domain/uscc.js';
import { CREDIT_STREAM, ensureCreditStream, isCreditKind, type CreditEvent } from '../../platform/events/creditStream.js';
import { logger } from '../../platform/observability/logger.js';
import { AuditScope } from '../audit/auditScope.js';
import { CallAdmission, callStatus, type CallAdmissionOptions } from '../grpcAdmission.js';
import type { CreditEvent as ProtoCreditEvent } from '../generated/proto/meg/events/v1/CreditEvent.js';
import type { CreditEventServiceHandlers } from '../generated/proto/meg/events/v1/CreditEventService.js';
import type { WatchRequest__Output } from '../generated/proto/meg/events/v1/WatchRequest.js';
import type { AccessPolicy, Principal } from '../policy/accessPolicy.js';
import type { Masker } from '../policy/masking.js';
import { EventViews, type VisibleEvent } from './eventView.js';
import type { PublicityRules } from '../../platform/domain/publicity.js';
import type { Clock } from '../../platform/time/clock.js';

/** The coordinate whose decision says who may watch. */
export const WATCH_COORDINATE = 'Query.creditEvents';

/** Most deliveries of one call recorded and not yet sent. */
const MAX_UNSENT = 64;

/** Most kinds one call may name. */
const MAX_KINDS = 50;

/** What the Watch service needs of the gateway. */
export interface WatchOptions extends CallAdmissionOptions {
  /** NATS servers, or null: without them Watch answers UNAVAILABLE. */
  readonly natsServers: readonly string[] | null;
  readonly policy: AccessPolicy;
  readonly mask: Masker;
  /** The API schema, once the gateway has loaded it. */
  readonly schema: () => GraphQLSchema | null;
  /** The gateway's clock: whether a decision is published yet is judged on its today. */
  readonly clock: Clock;
  /** When each kind of entry is public (policies/meg/credit/data.json). */
  readonly publicity: PublicityRules;
}

/** The credit events for callers: Watch over gRPC and the history for GraphQL, over one NATS connection. */
export class CreditEvents {
  private nc: Promise<NatsConnection> | null = null;

  constructor(private readonly options: WatchOptions) {}

  /** The gRPC handlers. */
  handlers(): CreditEventServiceHandlers {
    return { Watch: (call) => void this.watch(call) };
  }

  /**
   * A page of the events about `uscc`, oldest first, from the stream sequence after `after`, each
   * as the caller may see it; the decisions they rest on go into the request's `audit`. The stream
   * is read from `after` on: a page costs time linear in the events recorded since then, about
   * every enterprise (the stream has no index by enterprise).
   */
  async history(scope: { readonly principal: Principal; readonly purpose: string | null; readonly audit: AuditScope }, uscc: string, first: number, after: string | null): Promise<HistoryPage> {
    if (!Number.isInteger(first) || first < 1 || first > MAX_PAGE)
      throw new GraphQLError(`first must be from 1 to ${MAX_PAGE}, not ${first}`, { extensions: { code: 'BAD_USER_INPUT', argument: 'first' } });
    if (after !== null && (!/^\d+$/.test(after) || !Number.isSafeInteger(Number(after)))) {
      throw new GraphQLError(`after must be the endCursor of a page (a sequence number), not ${JSON.stringify(after)}`, { extensions: { code: 'BAD_USER_INPUT', argument: 'after' } });
    }
    const schema = this.options.schema();
    if (!schema || !this.options.natsServers)
      throw new GraphQLError('credit events are not available from this gateway (no NATS server is named in MEG_NATS_URL)', { extensions: { code: 'EVENTS_UNAVAILABLE' } });
    const from = after === null ? 0 : Number(after);
    scope.audit.touch([uscc]);
    let nc: NatsConnection;
    let last: number;
    try {
      nc = await this.connection();
      last = (await (await jetstreamManager(nc)).streams.info(CREDIT_STREAM)).state.last_seq;
    } catch (error) {
      throw new GraphQLError(`the credit events cannot be read now: ${(error as Error).message}`, { extensions: { code: 'EVENTS_UNAVAILABLE' } });
    }
    if (from >= last) return { events: [], endCursor: String(from), hasNextPage: false };
    const consumer = await jetstream(nc).consumers.get(CREDIT_STREAM, { filter_subjects: ['meg.credit.>'], deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: from + 1 });
    const views = new EventViews(schema, this.options.policy, this.options.mask, scope.principal, scope.purpose, this.options.clock, this.options.publicity);
    const events: HistoryEvent[] = [];
    let endCursor = from;
    let hasNextPage = false;
    scan: for (;;) {
      const batch = await consumer.fetch({ max_messages: 500, expires: 2_000 });
      let read = 0;
      for await (const message of batch) {
        read++;
        let event: CreditEvent | null = null;
        try {
          event = message.json<CreditEvent>();
        } catch {
          event = null;
        }
        if (event?.uscc === uscc) {
          const view = views.view(event);
          scope.audit.addDecisions(view.decisions);
          if (view.visible) {
            if (events.length === first) {
              hasNextPage = true;
              break scan;
            }
            events.push({ event, sequence: message.seq, view });
          }
        }
        endCursor = message.seq;
        if (message.seq >= last) break scan;
      }
      if (read === 0) break;
    }
    return { events, endCursor: String(endCursor), hasNextPage };
  }

  /** Closes the shared NATS connection. */
  async stop(): Promise<void> {
    const nc = this.nc;
    this.nc = null;
    await (await nc?.catch(() => null))?.close().catch(() => undefined);
  }

  private async watch(call: grpc.ServerWritableStream<WatchRequest__Output, ProtoCreditEvent>): Promise<void> {
    const admission = new CallAdmission(call, this.options, 'CreditEventService/Watch');
    const { requestId, audit, ...names } = admission.operation;
    const operation = { requestId, ...names };
    const fail = (code: grpc.status, details: string) => {
      if (!call.cancelled) call.emit('error', callStatus(code, details));
    };
    const refuse = async (code: grpc.status, details: string) => {
      const answer = await admission.refuse({ code, details });
      fail(answer.code, answer.details);
    };

    // Who calls, and may they watch?
    const refused = await admission.authenticate('watching credit events');
    if (refused) return refuse(refused.code, refused.details);
    const principal = admission.principal!;
    const purpose = admission.purpose;
    const decision = this.options.policy.decide(principal, purpose, [WATCH_COORDINATE]).get(WATCH_COORDINATE)!;
    audit.addDecisions(new Map([[WATCH_COORDINATE, decision]]));
    if (decision.effect !== 'ALLOW') return refuse(grpc.status.PERMISSION_DENIED, `${WATCH_COORDINATE} is not shared with this caller: ${decision.reason}`);

    // What to watch.
    const { uscc, kinds, afterSequence: afterText, newOnly } = call.request;
    const problem = requestProblem(uscc, kinds, afterText, newOnly);
    if (problem) return refuse(grpc.status.INVALID_ARGUMENT, problem);
    const schema = this.options.schema();
    if (!schema || !this.options.natsServers) return refuse(grpc.status.UNAVAILABLE, 'credit events are not available from this gateway (no NATS server is named in MEG_NATS_URL)');
    const codes = new Set(uscc);
    const after = Number(afterText);

    let nc: NatsConnection;
    let first: number;
    try {
      nc = await this.connection();
      const jsm = await jetstreamManager(nc);
      first = (await jsm.streams.info(CREDIT_STREAM)).state.first_seq;
    } catch (error) {
      return refuse(grpc.status.UNAVAILABLE, `the credit events cannot be read now: ${(error as Error).message}`);
    }
    if (after > 0 && after + 1 < first) return refuse(grpc.status.OUT_OF_RANGE, `the stream no longer holds the events after ${after}: its oldest is ${first}`);
    await this.options.recorder.answered({
      ...operation,
      audit,
      principal,
      purpose,
      outcome: 'ok',
      detail: `watching ${codes.size > 0 ? `${codes.size} enterprises` : 'every enterprise'}, ${kinds.length > 0 ? kinds.join(', ') : 'every kind'}, after ${after}`,
    });

    const consumer = await jetstream(nc).consumers.get(CREDIT_STREAM, {
      filter_subjects: kinds.length > 0 ? kinds.map((k) => `meg.credit.*.${k}`) : ['meg.credit.>'],
      ...(newOnly ? { deliver_policy: DeliverPolicy.New } : after > 0 ? { deliver_policy: DeliverPolicy.StartSequence, opt_start_seq: after + 1 } : { deliver_policy: DeliverPolicy.All }),
    });
    const messages = await consumer.consume();
    const stopWatching = () => void messages.close().catch(() => undefined);
    call.on('cancelled', stopWatching);
    call.on('close', stopWatching);
    const views = new EventViews(schema, this.options.policy, this.options.mask, principal, purpose, this.options.clock, this.options.publicity);
    // Deliveries are recorded as they are read, several at once (the access log commits them
    // together), and each is sent, in stream order, once its own record is durable.
    const pending: { readonly recorded: Promise<unknown>; readonly seq: number; readonly send: () => ProtoCreditEvent }[] = [];
    let failed = false;
    const flush = async (all: boolean) => {
      while (pending.length > 0 && (all || pending.length >= MAX_UNSENT)) {
        const next = pending.shift()!;
        try {
          await next.recorded;
        } catch {
          failed = true;
          fail(grpc.status.UNAVAILABLE, `the delivery of event ${next.seq} could not be recorded, so it is not made; resume after ${next.seq - 1}`);
          return;
        }
        if (call.cancelled) return;
        if (!call.write(next.send())) await new Promise((resolve) => call.once('drain', resolve));
      }
    };
    try {
      for await (const message of messages) {
        if (call.cancelled || failed) break;
        const delivery = this.deliveryOf(message, codes, views, operation, principal, purpose);
        if (delivery) pending.push(delivery);
        // Sent as soon as nothing more has arrived (or too many wait).
        await flush(messages.getPending() === 0);
      }
      if (!failed) await flush(true);
    } catch (error) {
      logger().warn({ event: 'watch ended', requestId, error: String(error) }, 'a Watch call ended on an error');
      fail(grpc.status.UNAVAILABLE, `the credit events cannot be read now: ${(error as Error).message}; resume after the last sequence received`);
    } finally {
      stopWatching();
    }
  }

  /** The delivery of `message` to this caller, its record under way; null when the caller does not get it. */
  private deliveryOf(
    message: JsMsg,
    codes: ReadonlySet<string>,
    views: EventViews,
    operation: { readonly requestId: string; readonly channel: 'grpc'; readonly operationName: string; readonly operationHash: string },
    principal: Principal,
    purpose: string | null,
  ): { readonly recorded: Promise<unknown>; readonly seq: number; readonly send: () => ProtoCreditEvent } | null {
    let event: CreditEvent;
    try {
      event = message.json<CreditEvent>();
    } catch {
      return null;
    }
    if (codes.size > 0 && !codes.has(event.uscc)) return null;
    const view = views.view(event);
    if (!view.visible) return null;
    // Recorded, then sent: a delivery the access log does not hold is never made.
    const delivered = new AuditScope();
    delivered.addDecisions(view.decisions);
    delivered.touch([event.uscc]);
    const seq = message.seq;
    const recorded = this.options.recorder.answered({ ...operation, audit: delivered, principal, purpose, outcome: 'ok', detail: `delivered ${event.agency}.${event.kind} ${event.id} at ${seq}` });
    recorded.catch(() => undefined);
    return { recorded, seq, send: () => toProto(event, seq, view) };
  }

  /** The NATS connection all calls share, opened on first use (and again after it closed). */
  private async connection(): Promise<NatsConnection> {
    if (this.nc) {
      const nc = await this.nc.catch(() => null);
      if (nc && !nc.isClosed()) return nc;
    }
    const servers = [...this.options.natsServers!];
    this.nc = connect({ servers, name: 'meg-gateway-watch', timeout: 2_000, maxReconnectAttempts: -1 }).then(async (nc) => {
      await ensureCreditStream(nc);
      return nc;
    });
    return this.nc;
  }
}

/** Largest page of history. */
const MAX_PAGE = 100;

/** An event of a history page, with its view. */
export interface HistoryEvent {
  readonly event: CreditEvent;
  readonly sequence: number;
  readonly view: VisibleEvent;
}

/** A page of an enterprise's credit events. */
export interface HistoryPage {
  readonly events: readonly HistoryEvent[];
  readonly endCursor: string;
  readonly hasNextPage: boolean;
}

/** What is wrong with a Watch request, or null. */
function requestProblem(uscc: readonly string[], kinds: readonly string[], after: string, newOnly: boolean): string | null {
  if (uscc.length > MAX_CODES_PER_REQUEST) return `at most ${MAX_CODES_PER_REQUEST} codes may be watched at once, not ${uscc.length}`;
  for (const [i, code] of uscc.entries()) {
    const problem = checkUscc(code);
    if (problem) return `uscc[${i}]: ${problem.message}`;
  }
  if (kinds.length > MAX_KINDS) return `at most ${MAX_KINDS} kinds may be named, not ${kinds.length}`;
  for (const [i, kind] of kinds.entries()) {
    if (!isCreditKind(kind)) return `kinds[${i}]: ${JSON.stringify(kind)} is not a kind of credit event (lower-case words joined by "_", e.g. serious_violation_listed)`;
  }
  if (!/^\d+$/.test(after) || !Number.isSafeInteger(Number(after))) return `after_sequence ${after} is not a sequence number`;
  if (newOnly && Number(after) > 0) return 'new_only and after_sequence cannot be asked together: one says where to begin';
  return null;
}

function toProto(event: CreditEvent, seq: number, view: VisibleEvent): ProtoCreditEvent {
  return {
    id: event.id,
    sequence: String(seq),
    agency: event.agency,
    kind: event.kind,
    uscc: event.uscc,
    occurredAt: event.occurredAt,
    entryType: view.entryType,
    entryId: view.entryId,
    version: view.version,
    entry: Object.entries(view.entry).map(([name, value]) => ({ name, value })),
    decision: view.decision,
    withheld: [...view.withheld],
    masked: [...view.masked],
  };
}
