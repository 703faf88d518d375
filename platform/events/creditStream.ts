/**
 * The credit events' stream on NATS JetStream: what every agency records is published here, once,
 * for the other agencies to respond to and for subscribers to watch.
 *
 * - One stream, `MEG_CREDIT_EVENTS`, on file storage, over the subjects `meg.credit.<agency>.<kind>`
 *   (the recording agency's id from the registry, and the kind of fact: `penalty_recorded`, …), so
 *   that a consumer can take one agency's events, one kind, or all.
 * - Each event is published with its id as the message id (`Nats-Msg-Id`): the server drops a
 *   second copy of an id it has seen within the duplicate window. An outbox relay that crashed
 *   between the server's acknowledgement and marking the event sent publishes it again on restart,
 *   and consumers see it once. The window (24 hours) is longer than any relay's way back.
 */
import { JetStreamApiCodes, JetStreamApiError, jetstreamManager, jetstream, RetentionPolicy, StorageType, type JetStreamManager, type StreamConfig } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { AGENCIES, type Agency } from '../domain/agencies.js';

/** The stream's name. */
export const CREDIT_STREAM = 'MEG_CREDIT_EVENTS';

/** How long the server remembers a message id to drop its duplicates. */
export const DUPLICATE_WINDOW_MS = 24 * 60 * 60 * 1000;

/** A kind of credit event: lower-case words joined by `_` (one subject token). */
const KIND = /^[a-z][a-z0-9]*(?:_[a-z0-9]+)*$/;

/** A credit event as it travels: what the recording agency wrote, and when. */
export interface CreditEvent {
  /** The event's id (a UUID), its message id on the stream. */
  readonly id: string;
  /** The agency that recorded the fact. */
  readonly agency: Agency;
  /** What happened, e.g. `serious_violation_listed`. */
  readonly kind: string;
  /** The enterprise the fact is about. */
  readonly uscc: string;
  /** When the write that recorded it committed (ISO 8601). */
  readonly occurredAt: string;
  /** The fact itself, as the agency recorded it. */
  readonly data: Readonly<Record<string, unknown>>;
}

/** Whether `kind` is a kind of credit event as its subject spells it. */
export function isCreditKind(kind: string): boolean {
  return KIND.test(kind);
}

/** The subject an event of `agency` and `kind` is published on. */
export function creditSubject(agency: Agency, kind: string): string {
  if (!(AGENCIES as readonly string[]).includes(agency)) throw new Error(`${JSON.stringify(agency)} is not an agency of the registry`);
  if (!isCreditKind(kind)) throw new Error(`${JSON.stringify(kind)} is not a kind of credit event: lower-case words joined by "_"`);
  return `meg.credit.${agency}.${kind}`;
}

/** The stream's configuration. */
export function creditStreamConfig(): Partial<StreamConfig> & { name: string } {
  return {
    name: CREDIT_STREAM,
    subjects: ['meg.credit.>'],
    storage: StorageType.File,
    retention: RetentionPolicy.Limits,
    duplicate_window: nanos(DUPLICATE_WINDOW_MS),
  };
}

/**
 * Creates the stream if the server lacks it (each process that publishes or consumes may be
 * first), and brings one made otherwise to its subjects and duplicate window. A stream kept in
 * memory cannot be moved to files: that is refused, since events would not survive a restart.
 */
export async function ensureCreditStream(nc: NatsConnection): Promise<JetStreamManager> {
  const jsm = await jetstreamManager(nc);
  const wanted = creditStreamConfig();
  let existing: StreamConfig;
  try {
    existing = (await jsm.streams.info(CREDIT_STREAM)).config;
  } catch (error) {
    if (!(error instanceof JetStreamApiError && error.code === JetStreamApiCodes.StreamNotFound)) throw error;
    await jsm.streams.add(wanted);
    return jsm;
  }
  if (existing.storage !== StorageType.File) {
    throw new Error(
      `the stream ${CREDIT_STREAM} on this NATS server keeps its messages in ${existing.storage}: credit events need file storage to outlive a restart; remove the stream or point MEG_NATS_URL elsewhere`,
    );
  }
  if (existing.duplicate_window !== wanted.duplicate_window || existing.subjects.join(' ') !== wanted.subjects!.join(' ')) {
    await jsm.streams.update(CREDIT_STREAM, { subjects: wanted.subjects!, duplicate_window: wanted.duplicate_window! });
  }
  return jsm;
}

/** What the server said of a published event. */
export interface Published {
  /** Its sequence number on the stream (that of the first copy, for a duplicate). */
  readonly seq: number;
  /** The server had it already (same id within the window) and stored nothing. */
  readonly duplicate: boolean;
}

/** Publishes `event` on its subject with its id as the message id; resolves once the stream holds it. */
export async function publishCreditEvent(nc: NatsConnection, event: CreditEvent): Promise<Published> {
  const ack = await jetstream(nc).publish(creditSubject(event.agency, event.kind), JSON.stringify(event), { msgID: event.id });
  return { seq: ack.seq, duplicate: ack.duplicate };
}
