/**
 * The transactional outbox of an agency's credit events. A write records its event in the table
 * `credit_outbox` in the same transaction as the fact itself ({@link recordCreditEvent}), so an
 * event exists exactly when its fact does. The relay publishes what is not yet published to NATS
 * JetStream, oldest first, and marks each row with the stream's sequence number.
 *
 * Nothing is lost and nothing reaches a consumer twice:
 * - a process killed after its commit and before the publish leaves the row unpublished: the next
 *   relay publishes it;
 * - a process killed after the publish and before the mark leaves it unpublished too: the next
 *   relay publishes it again under the same message id, the server answers that it is a duplicate
 *   (creditStream.ts), and the row is marked with the first copy's sequence number;
 * - with NATS down, writes still commit; the relay says its events are delayed (readiness reads
 *   {@link OutboxRelay.status}) and publishes the backlog once NATS answers again.
 *
 * Two relays over one database (replicas of a subgraph) may publish the same row: it is still
 * stored once, and marked once.
 */
import { jetstream, type JetStreamClient } from '@nats-io/jetstream';
import type { NatsConnection } from '@nats-io/transport-node';
import type { Database, Transaction } from '../../platform/db/database.js';
import { creditSubject, ensureCreditStream, type CreditEvent } from '../../platform/events/creditStream.js';
import { logger } from '../../platform/observability/logger.js';

/**
 * The largest event recorded, in bytes of its JSON: far below what a NATS server takes in one
 * message (1 MiB by default), so that no recorded event can be one the relay could never publish
 * (it would hold back every event after it).
 */
export const MAX_CREDIT_EVENT_BYTES = 64 * 1024;

/**
 * Records `event` in the outbox, inside the transaction that writes its fact. An event that could
 * never be published (a subject that is not an agency and a kind, or over {@link MAX_CREDIT_EVENT_BYTES})
 * throws here, so the write fails with it rather than leaving the event behind.
 */
export async function recordCreditEvent(tx: Transaction, event: CreditEvent): Promise<OutboxRow> {
  const subject = creditSubject(event.agency, event.kind);
  const text = JSON.stringify(event);
  const bytes = Buffer.byteLength(text);
  if (bytes > MAX_CREDIT_EVENT_BYTES) throw new Error(`the credit event ${event.kind} is ${bytes} bytes: at most ${MAX_CREDIT_EVENT_BYTES} are published`);
  const [row] = await tx.query<{ seq: string }>('INSERT INTO credit_outbox (event_id, subject, event) VALUES ($1, $2, $3) RETURNING seq', [event.id, subject, text]);
  return { seq: row!.seq, event_id: event.id, subject, event: text };
}

/** A row of the outbox: an event and where it goes. */
export interface OutboxRow {
  readonly seq: string;
  readonly event_id: string;
  readonly subject: string;
  readonly event: string;
}

/** Options of {@link OutboxRelay}. */
export interface OutboxRelayOptions {
  /** Opens a connection to NATS (called again after the connection is lost). */
  readonly connect: () => Promise<NatsConnection>;
  /** Rows read from the outbox at a time (default 100). */
  readonly batchSize?: number;
  /** How often the outbox is read when nothing wakes the relay: rows other replicas wrote (default 500 ms). */
  readonly pollMs?: number;
  /** How long to wait after NATS failed before trying again (default 1,000 ms). */
  readonly retryMs?: number;
  /** How long one publish may wait for the server's acknowledgement (default 5,000 ms). */
  readonly publishTimeoutMs?: number;
  /** The clock (tests inject one). */
  readonly now?: () => Date;
}

/** What the relay can say of itself. */
export interface OutboxStatus {
  /** False until the relay has first read its outbox and reached NATS (or failed to). */
  readonly started: boolean;
  /** Events recorded and not yet published, as last counted. */
  readonly backlog: number;
  /** Since when publishing has been failing, or null while it works. */
  readonly delayedSince: Date | null;
  /** Why the last attempt failed (no values, only the error's words from NATS or the database). */
  readonly lastError: string | null;
  /** Events this relay published and marked since it started. */
  readonly published: number;
}

/** Publishes an agency's outbox to NATS JetStream. */
export class OutboxRelay {
  private connection: { nc: NatsConnection; js: JetStreamClient } | null = null;
  private running = false;
  private loop: Promise<void> | null = null;
  private wakeUp: (() => void) | null = null;
  private woken = false;
  /** Rows this process committed since the relay last read the outbox, in the order their writes committed. */
  private handed: OutboxRow[] = [];
  /** Whether every unpublished row this relay can know of is in `handed`: the last read of the outbox left nothing behind, and nothing failed since. */
  private inStep = false;
  /** Whether a row was handed over and not kept (too many waited) since the last read: no later row may go out before it, so none goes by hand. */
  private dropped = false;
  /** When the relay last read the outbox (ms, monotonic). */
  private readAt = Number.NEGATIVE_INFINITY;
  private current: OutboxStatus = { started: false, backlog: 0, delayedSince: null, lastError: null, published: 0 };
  private readonly batchSize: number;
  private readonly pollMs: number;

  constructor(
    private readonly db: Database,
    private readonly options: OutboxRelayOptions,
  ) {
    this.batchSize = options.batchSize ?? 100;
    this.pollMs = options.pollMs ?? 500;
  }

  /** Starts publishing; returns at once. */
  start(): void {
    if (this.running) return;
    this.running = true;
    this.loop = this.run();
  }

  /** Publishes soon: a write has just committed an event (the outbox is read for it). */
  wake(): void {
    this.woken = true;
    this.wakeUp?.();
  }

  /**
   * Publishes `row` soon: a write of this process has just committed it. While the relay is in
   * step with the outbox, it publishes what it was handed without reading the outbox again; it
   * still reads it every poll interval, for rows of other replicas and of processes that died.
   */
  handOff(row: OutboxRow): void {
    if (!this.dropped && this.handed.length < this.batchSize * 10) this.handed.push(row);
    else {
      this.dropped = true;
      this.inStep = false;
    }
    this.wake();
  }

  /** What the relay can say of itself. */
  status(): OutboxStatus {
    return this.current;
  }

  /**
   * Stops, and closes its connection at once: a publish under way fails (its row stays
   * unpublished, for the next relay), so stopping does not wait on a NATS that does not answer.
   */
  async stop(): Promise<void> {
    this.running = false;
    this.wakeUp?.();
    await this.connection?.nc.close().catch(() => undefined);
    await this.loop;
    this.loop = null;
    // And one the loop may have opened while it was being stopped.
    await this.connection?.nc.close().catch(() => undefined);
    this.connection = null;
  }

  private async run(): Promise<void> {
    while (this.running) {
      let wait = this.pollMs;
      try {
        if (this.handsOver()) {
          await this.publishHanded();
          // The next read is due a poll interval after the last one, not after this publish.
          wait = Math.max(0, this.pollMs - (performance.now() - this.readAt));
        } else {
          // Counted before each read: what waits is known while a long drain is under way.
          await this.count().catch(() => undefined);
          await this.drain();
        }
        this.current = { ...this.current, started: true, delayedSince: null, lastError: null };
      } catch (error) {
        if (!this.running) break;
        const message = error instanceof Error ? error.message : String(error);
        this.inStep = false;
        if (this.current.delayedSince === null) logger().warn({ event: 'credit events delayed', error: message }, 'credit events cannot be published: they wait in the outbox');
        this.current = { ...this.current, started: true, delayedSince: this.current.delayedSince ?? this.now(), lastError: message };
        // A connection that failed is opened afresh on the next attempt.
        await this.connection?.nc.close().catch(() => undefined);
        this.connection = null;
        wait = this.options.retryMs ?? 1_000;
      }
      if (!this.running) break;
      await this.sleep(wait);
    }
  }

  /**
   * Publishes every unpublished row in the order it was recorded (on PostgreSQL, two writes
   * committing at the same moment may go out in either order; each enterprise's facts carry their
   * own versions). No transaction is held while NATS is asked: on an embedded database that
   * would stop the agency's own reads for as long as NATS takes to answer. Two relays may therefore publish the same row; the server stores it once (its id is
   * the message id) and both mark it with the same sequence number. A batch is published as one
   * window and marked in one statement, up to the first publish that failed.
   */
  private async drain(): Promise<void> {
    for (;;) {
      const { js } = await this.connected();
      // What was handed before this read is committed, so the read sees it: it is published from here.
      this.handed = [];
      this.dropped = false;
      this.readAt = performance.now();
      const rows = await this.db.query<OutboxRow>('credit_outbox', 'SELECT seq, event_id, subject, event FROM credit_outbox WHERE published_at IS NULL ORDER BY seq LIMIT $1', [this.batchSize]);
      if (!this.running) return;
      await this.publish(js, rows);
      if (rows.length < this.batchSize) {
        // Nothing is left behind: from now on this process's rows can come by hand (unless one
        // handed meanwhile was not kept, which the next read must publish first).
        this.inStep = !this.dropped;
        return;
      }
    }
  }

  /** Whether the next rows go by hand: in step with the outbox, and its next read not yet due. */
  private handsOver(): boolean {
    return this.inStep && performance.now() - this.readAt < this.pollMs;
  }

  /**
   * Publishes what writes of this process handed over since, in the order they committed, for as
   * long as the relay stays in step and no read of the outbox is due (under steady writes the
   * hand-offs never run dry, and the outbox must still be read every poll interval).
   */
  private async publishHanded(): Promise<void> {
    const { js } = await this.connected();
    while (this.handed.length > 0 && this.running && this.handsOver()) {
      await this.publish(js, this.handed.splice(0, this.batchSize));
    }
  }

  /**
   * Publishes `rows` in one window (the server stores them in the order sent, on this one
   * connection), then marks the acknowledged ones in one statement: an event costs no round trip
   * of its own to NATS or to the database. Marked up to the first that failed, which is thrown:
   * the next read of the outbox starts again from it, in order.
   */
  private async publish(js: JetStreamClient, rows: readonly OutboxRow[]): Promise<void> {
    const timeout = this.options.publishTimeoutMs ?? 5_000;
    const acks = await Promise.allSettled(rows.map((row) => js.publish(row.subject, row.event, { msgID: row.event_id, timeout })));
    const failedAt = acks.findIndex((a) => a.status === 'rejected');
    const acked = (failedAt === -1 ? acks : acks.slice(0, failedAt)) as PromiseFulfilledResult<{ seq: number }>[];
    if (acked.length > 0) {
      const marked = await this.db.query(
        'credit_outbox',
        `UPDATE credit_outbox SET published_at = $1, stream_seq = acked.stream_seq
           FROM unnest($2::bigint[], $3::bigint[]) AS acked(seq, stream_seq)
          WHERE credit_outbox.seq = acked.seq AND credit_outbox.published_at IS NULL RETURNING credit_outbox.seq`,
        [this.now().toISOString(), rows.slice(0, acked.length).map((r) => r.seq), acked.map((a) => a.value.seq)],
      );
      // Another replica's relay may have marked some first: counted once, by whoever marked them.
      this.current = { ...this.current, published: this.current.published + marked.length };
    }
    if (failedAt !== -1) throw (acks[failedAt] as PromiseRejectedResult).reason;
  }

  private async connected(): Promise<{ nc: NatsConnection; js: JetStreamClient }> {
    if (this.connection && !this.connection.nc.isClosed()) return this.connection;
    const nc = await this.options.connect();
    try {
      await ensureCreditStream(nc);
    } catch (error) {
      await nc.close().catch(() => undefined);
      throw error;
    }
    this.connection = { nc, js: jetstream(nc) };
    return this.connection;
  }

  private async count(): Promise<void> {
    const [row] = await this.db.query<{ n: string }>('credit_outbox', 'SELECT count(*) AS n FROM credit_outbox WHERE published_at IS NULL');
    this.current = { ...this.current, backlog: Number(row?.n ?? 0) };
  }

  /** Waits `ms`, or less if the relay is woken (a wake while it was busy counts: it does not wait at all). */
  private sleep(ms: number): Promise<void> {
    if (this.woken) {
      this.woken = false;
      return Promise.resolve();
    }
    return new Promise((resolve) => {
      const finish = () => {
        clearTimeout(timer);
        this.wakeUp = null;
        this.woken = false;
        resolve();
      };
      const timer = setTimeout(finish, ms);
      this.wakeUp = finish;
    });
  }

  private now(): Date {
    return (this.options.now ?? (() => new Date()))();
  }
}
