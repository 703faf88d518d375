/**
 * The linked response (跨部门联动响应) of one agency: a durable JetStream consumer of its own,
 * `meg-response-<agency>`, over the credit events that concern it, and for each event what the
 * response rules (policies/meg/response, compiled to wasm) tell it to do: impose joint measures,
 * recorded in its own database with the source event and the legal basis, or lift the measures an
 * entry caused.
 *
 * - **Once.** An event is acted on in one transaction with its row in `joint_responses`; an event
 *   delivered again (the consumer crashed before its acknowledgement) finds the row and is only
 *   acknowledged. Measures in force are unique per entry and measure.
 * - **In order.** The consumer has one event in flight at a time, so that a removal is never
 *   acted on before the listing it removes.
 * - **Never lost.** An event is acknowledged only after its response has committed; if the
 *   database or the rules fail, it is delivered again.
 */
import { readFileSync } from 'node:fs';
import { AckPolicy, DeliverPolicy, jetstream, jetstreamManager, type JsMsg } from '@nats-io/jetstream';
import { nanos, type NatsConnection } from '@nats-io/transport-node';
import { loadPolicy, type LoadedPolicy } from '@open-policy-agent/opa-wasm';
import type { Database } from '../../platform/db/database.js';
import type { Agency } from '../../platform/domain/agencies.js';
import { CREDIT_STREAM, ensureCreditStream, type CreditEvent } from '../../platform/events/creditStream.js';
import { logger } from '../../platform/observability/logger.js';

/** A measure the rules impose, with what it means and its legal basis. */
export interface ImposedMeasure {
  readonly measure: string;
  readonly description: string;
  readonly basis: string;
}

/** What the rules tell one agency to do about one event. */
export interface Response {
  readonly impose: readonly ImposedMeasure[];
  readonly lift: boolean;
}

/** The compiled response rules. A rule set that cannot be loaded stops the subgraph from starting; one that cannot decide leaves the event unacknowledged. */
export class ResponseRules {
  private constructor(private readonly policy: LoadedPolicy) {}

  static async load(wasmFile: string): Promise<ResponseRules> {
    let wasm: Buffer;
    try {
      wasm = readFileSync(wasmFile);
    } catch {
      throw new Error(`cannot read the linked response's rules at ${wasmFile}; run \`make build\` to produce them`);
    }
    return new ResponseRules(await loadPolicy(wasm));
  }

  /** What `responder` does about `event`; throws if the rules cannot say. */
  respond(responder: Agency, event: CreditEvent): Response {
    const [result] = this.policy.evaluate({ responder, event }, 'meg/response/response') as { result?: Response }[];
    const answer = result?.result;
    if (!answer || !Array.isArray(answer.impose) || typeof answer.lift !== 'boolean') throw new Error(`the response rules gave no answer for ${event.agency}.${event.kind}`);
    return answer;
  }

  /** The subjects of the events that concern `responder`. */
  subjects(responder: Agency): string[] {
    const [result] = this.policy.evaluate({ responder }, 'meg/response/subjects') as { result?: unknown }[];
    const subjects = result?.result;
    if (!Array.isArray(subjects) || subjects.some((s) => typeof s !== 'string')) throw new Error('the response rules name no subjects');
    return [...(subjects as string[])].sort();
  }
}

/** Options of {@link JointResponder}. */
export interface JointResponderOptions {
  /** Opens a connection to NATS (called again after the connection is lost). */
  readonly connect: () => Promise<NatsConnection>;
  /** How long to wait after NATS or the database failed before trying again (default 1,000 ms). */
  readonly retryMs?: number;
  /** How long one pull waits for events before asking again (default 1,000 ms). */
  readonly pullMs?: number;
  /** The clock (tests inject one). */
  readonly now?: () => Date;
}

/** What the responder can say of itself. */
export interface ResponderStatus {
  readonly started: boolean;
  /** Since when consuming has been failing, or null while it works. */
  readonly delayedSince: Date | null;
  readonly lastError: string | null;
  /** Events acted on (imposing or lifting) since the process started. */
  readonly responded: number;
  /** The stream sequence of the last event acknowledged. */
  readonly lastSeq: number;
}

/** The durable consumer's name for `agency`. */
export function responseConsumer(agency: Agency): string {
  return `meg-response-${agency}`;
}

/** One agency's linked response. */
export class JointResponder {
  private nc: NatsConnection | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private current: ResponderStatus = { started: false, delayedSince: null, lastError: null, responded: 0, lastSeq: 0 };

  constructor(
    private readonly agency: Agency,
    private readonly db: Database,
    private readonly rules: ResponseRules,
    private readonly options: JointResponderOptions,
  ) {}

  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  status(): ResponderStatus {
    return this.current;
  }

  /** Stops; an event being handled is left unacknowledged, to be delivered again. */
  async stop(): Promise<void> {
    this.running = false;
    await this.nc?.close().catch(() => undefined);
    await this.loop;
    await this.nc?.close().catch(() => undefined);
    this.nc = null;
  }

  private async run(): Promise<void> {
    while (this.running) {
      try {
        await this.consume();
      } catch (error) {
        if (!this.running) break;
        const message = error instanceof Error ? error.message : String(error);
        if (this.current.delayedSince === null) logger().warn({ event: 'linked response delayed', agency: this.agency, error: message }, 'credit events cannot be consumed: the response waits');
        this.current = { ...this.current, started: true, delayedSince: this.current.delayedSince ?? this.now(), lastError: message };
        await this.nc?.close().catch(() => undefined);
        this.nc = null;
        await new Promise((resolve) => setTimeout(resolve, this.options.retryMs ?? 1_000));
      }
    }
  }

  /** Connects, makes sure of the stream and the consumer, and handles events until stopped or something fails. */
  private async consume(): Promise<void> {
    const nc = (this.nc = await this.options.connect());
    await ensureCreditStream(nc);
    const durable = responseConsumer(this.agency);
    const config = {
      durable_name: durable,
      ack_policy: AckPolicy.Explicit,
      deliver_policy: DeliverPolicy.All,
      filter_subjects: this.rules.subjects(this.agency),
      // One at a time: a removal is not acted on before the listing it removes.
      max_ack_pending: 1,
      ack_wait: nanos(30_000),
    };
    const jsm = await jetstreamManager(nc);
    try {
      await jsm.consumers.add(CREDIT_STREAM, config);
    } catch {
      // It exists with other subjects (the rules changed): brought up to date.
      await jsm.consumers.update(CREDIT_STREAM, durable, { filter_subjects: config.filter_subjects, max_ack_pending: 1, ack_wait: config.ack_wait });
    }
    const consumer = await jetstream(nc).consumers.get(CREDIT_STREAM, durable);
    this.current = { ...this.current, started: true, delayedSince: null, lastError: null };
    while (this.running) {
      const messages = await consumer.fetch({ max_messages: 1, expires: this.options.pullMs ?? 1_000 });
      for await (const message of messages) {
        if (!this.running) return;
        await this.handle(message);
      }
      if (nc.isClosed()) throw new Error('the connection to NATS closed');
    }
  }

  /** Responds to one event and acknowledges it once the response has committed. */
  private async handle(message: JsMsg): Promise<void> {
    let event: CreditEvent;
    try {
      event = message.json<CreditEvent>();
    } catch {
      // Not an event at all: nothing could ever respond to it.
      logger().error({ event: 'credit event unreadable', agency: this.agency, seq: message.seq, subject: message.subject }, 'a message on the credit stream is not an event; it is passed over');
      message.term();
      return;
    }
    let response: Response;
    try {
      response = this.rules.respond(this.agency, event);
    } catch (error) {
      message.nak(this.options.retryMs ?? 1_000);
      throw error;
    }
    if (response.impose.length > 0 || response.lift) {
      try {
        const acted = await this.record(event, message, response);
        if (acted) this.current = { ...this.current, responded: this.current.responded + 1 };
      } catch (error) {
        message.nak(this.options.retryMs ?? 1_000);
        throw error;
      }
    }
    await message.ackAck();
    this.current = { ...this.current, lastSeq: message.seq };
  }

  /** Records the response to `event` once; false if it had been recorded already. */
  private record(event: CreditEvent, message: JsMsg, response: Response): Promise<boolean> {
    const entryId = typeof event.data['entryId'] === 'string' ? event.data['entryId'] : null;
    return this.db.transaction(async (tx) => {
      const fresh = await tx.query(
        `INSERT INTO joint_responses (event_id, stream_seq, subject, imposed, lifted, responded_at) VALUES ($1, $2, $3, 0, 0, $4)
         ON CONFLICT (event_id) DO NOTHING RETURNING event_id`,
        [event.id, message.seq, message.subject, this.now().toISOString()],
      );
      if (fresh.length === 0) return false;
      let lifted = 0;
      if (response.lift && entryId) {
        lifted = (
          await tx.query(
            `UPDATE joint_measures SET lifted_on = $3, lifted_by_event_id = $4
              WHERE source_agency = $1 AND source_entry_id = $2 AND lifted_on IS NULL RETURNING measure_id`,
            [event.agency, entryId, event.occurredAt, event.id],
          )
        ).length;
      }
      let imposed = 0;
      for (const m of response.impose) {
        imposed += (
          await tx.query(
            `INSERT INTO joint_measures (uscc, measure, description, basis, source_event_id, source_agency, source_kind, source_entry_id, effective_from, recorded_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (source_agency, source_entry_id, measure) WHERE lifted_on IS NULL DO NOTHING RETURNING measure_id`,
            [event.uscc, m.measure, m.description, m.basis, event.id, event.agency, event.kind, entryId, event.occurredAt, this.now().toISOString()],
          )
        ).length;
      }
      await tx.query('UPDATE joint_responses SET imposed = $2, lifted = $3 WHERE event_id = $1', [event.id, imposed, lifted]);
      logger().info({ event: 'joint response', agency: this.agency, source: `${event.agency}.${event.kind}`, uscc: event.uscc, imposed, lifted }, 'responded to a credit event');
      return true;
    });
  }

  private now(): Date {
    return (this.options.now ?? (() => new Date()))();
  }
}
