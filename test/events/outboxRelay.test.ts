/**
 * An agency's outbox relay, on a real NATS server (started for this file) and an agency database:
 * what a committed write recorded reaches the stream once, in order; what a rolled-back write
 * recorded never does; with NATS down the write still commits and the relay says its events are
 * delayed, then publishes the backlog when NATS returns; and an event published just before its
 * relay died (so never marked) is stored once when the next relay publishes it again.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../platform/config/projectRoot.js';
import { migrate, openDatabase, type Database } from '../../platform/db/database.js';
import { CREDIT_STREAM, ensureCreditStream, publishCreditEvent, type CreditEvent } from '../../platform/events/creditStream.js';
import { startNatsServer, type NatsServer } from '../../platform/events/natsServer.js';
import { OutboxRelay, recordCreditEvent } from '../../subgraphs/runtime/outbox.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'meg-outbox-'));
const store = path.join(dir, 'nats');
let server: NatsServer;
let port: number;
let db: Database;
const CLOCK = new Date('2026-12-02T09:30:00.000Z');

beforeAll(async () => {
  server = await startNatsServer({ storeDir: store });
  port = Number(new URL(server.url).port);
  db = await openDatabase({ dataDir: path.join(dir, 'market') });
  await migrate(db, path.join(projectRoot, 'subgraphs/runtime/migrations'));
});

afterAll(async () => {
  await db?.close();
  await server?.stop();
  rmSync(dir, { recursive: true, force: true });
});

const event = (kind: string, uscc = '91110000600037341L'): CreditEvent => ({
  id: randomUUID(),
  agency: 'market',
  kind,
  uscc,
  occurredAt: CLOCK.toISOString(),
  data: { decisionNumber: `京市监罚〔2026〕${kind}号` },
});

/** A relay over the test's database, fast to notice (the machine may be busy: the waits below are long). */
function relay(): OutboxRelay {
  return new OutboxRelay(db, { connect: () => connect({ servers: `nats://127.0.0.1:${port}`, reconnect: false }), pollMs: 50, retryMs: 100, publishTimeoutMs: 2_000, now: () => CLOCK });
}

/** Waits until `check` holds, or fails saying what was last seen. */
async function until<T>(what: string, read: () => T | Promise<T>, check: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await read();
    if (check(value)) return value;
    if (Date.now() > deadline) throw new Error(`${what}: still ${JSON.stringify(value)} after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

/** The stream's message count and, for an event id, what the outbox says of it. */
async function streamMessages(): Promise<number> {
  const nc = await connect({ servers: `nats://127.0.0.1:${port}` });
  try {
    return (await (await ensureCreditStream(nc)).streams.info(CREDIT_STREAM)).state.messages;
  } finally {
    await nc.close();
  }
}

async function outboxRow(id: string) {
  const [row] = await db.query<{ published_at: Date | string | null; stream_seq: string | null }>('credit_outbox', 'SELECT published_at, stream_seq FROM credit_outbox WHERE event_id = $1', [id]);
  return row;
}

async function storedAt(seq: number): Promise<{ subject: string; event: CreditEvent } | null> {
  const nc: NatsConnection = await connect({ servers: `nats://127.0.0.1:${port}` });
  try {
    const message = await (await ensureCreditStream(nc)).streams.getMessage(CREDIT_STREAM, { seq });
    return message ? { subject: message.subject, event: message.json<CreditEvent>() } : null;
  } finally {
    await nc.close();
  }
}

describe('the outbox relay', () => {
  it('publishes what committed writes recorded, in their order, and nothing of a write rolled back', async () => {
    const listed = event('serious_violation_listed');
    const penalty = event('penalty_recorded');
    const undone = event('licence_recorded');
    await db.transaction(async (tx) => {
      await recordCreditEvent(tx, listed);
      await recordCreditEvent(tx, penalty);
    });
    await expect(
      db.transaction(async (tx) => {
        await recordCreditEvent(tx, undone);
        throw new Error('the decision number is taken');
      }),
    ).rejects.toThrow('the decision number is taken');

    const before = await streamMessages();
    const r = relay();
    r.start();
    try {
      await until(
        'published',
        () => r.status(),
        (s) => s.published === 2 && s.backlog === 0,
      );
    } finally {
      await r.stop();
    }
    const first = await outboxRow(listed.id);
    const second = await outboxRow(penalty.id);
    expect(new Date(first!.published_at!).toISOString()).toBe(CLOCK.toISOString());
    expect(Number(second!.stream_seq)).toBe(Number(first!.stream_seq) + 1);
    expect(await storedAt(Number(first!.stream_seq))).toEqual({ subject: 'meg.credit.market.serious_violation_listed', event: listed });
    expect(await storedAt(Number(second!.stream_seq))).toEqual({ subject: 'meg.credit.market.penalty_recorded', event: penalty });
    expect(await outboxRow(undone.id)).toBeUndefined();
    expect(await streamMessages()).toBe(before + 2);
  });

  it('publishes what writes hand over without reading the outbox for each, and still finds what another process recorded while the hand-offs never stop', async () => {
    // A relay that counts its reads of the outbox, over a database slow to mark.
    let reads = 0;
    const counted: Database = new Proxy(db, {
      get(target, key, receiver) {
        if (key !== 'query') return Reflect.get(target, key, receiver) as unknown;
        return async (table: string, sql: string, params?: unknown[]) => {
          if (sql.startsWith('SELECT seq, event_id')) reads++;
          // Marking what was published takes a busy database's while: new hand-offs come meanwhile.
          if (sql.trimStart().startsWith('UPDATE credit_outbox')) await new Promise((resolve) => setTimeout(resolve, 30));
          return target.query(table, sql, params);
        };
      },
    });
    const r = new OutboxRelay(counted, { connect: () => connect({ servers: `nats://127.0.0.1:${port}`, reconnect: false }), pollMs: 2_000, retryMs: 100, publishTimeoutMs: 2_000, now: () => CLOCK });
    r.start();
    try {
      await until(
        'started',
        () => r.status(),
        (s) => s.started,
      );
      const readsBefore = reads;
      const handed = Array.from({ length: 30 }, (_, i) => event('penalty_recorded', `91110000MA0${String(i).padStart(5, '0')}X`));
      for (const e of handed) r.handOff(await db.transaction((tx) => recordCreditEvent(tx, e)));
      await until(
        'handed rows published',
        async () => Promise.all(handed.map(async (e) => (await outboxRow(e.id))?.stream_seq ?? null)),
        (seqs) => seqs.every((s) => s !== null),
      );
      // In the order they were handed (= committed), on the stream and in the outbox's marks.
      const seqs = await Promise.all(handed.map(async (e) => Number((await outboxRow(e.id))!.stream_seq)));
      expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
      expect((await storedAt(seqs[7]!))?.event).toEqual(handed[7]);
      // Read only on its poll interval, not once per write (30 reads without the hand-off).
      expect(reads - readsBefore).toBeLessThan(10);

      // Another replica's write, recorded and never handed to this relay, while this process
      // keeps writing: the hand-offs never run dry, and the outbox is still read.
      let writing = true;
      const steady = (async () => {
        for (let i = 0; writing; i++) {
          r.handOff(await db.transaction((tx) => recordCreditEvent(tx, event('penalty_recorded', `91110000MA1${String(i).padStart(5, '0')}X`))));
          // A write every few milliseconds (the embedded database answers without yielding).
          await new Promise((resolve) => setTimeout(resolve, 5));
        }
      })();
      const elsewhere = event('licence_recorded');
      try {
        await db.transaction((tx) => recordCreditEvent(tx, elsewhere));
        const found = await until(
          'found by a read',
          () => outboxRow(elsewhere.id),
          (row) => row?.stream_seq !== null,
          20_000,
        );
        expect(await storedAt(Number(found!.stream_seq))).toEqual({ subject: 'meg.credit.market.licence_recorded', event: elsewhere });
      } finally {
        writing = false;
        await steady;
      }
      // And the last of them go out too: nothing is left for the tests after this one.
      await until(
        'all published',
        async () => (await db.query<{ n: string }>('credit_outbox', 'SELECT count(*) AS n FROM credit_outbox WHERE published_at IS NULL'))[0]!.n,
        (n) => Number(n) === 0,
      );
    } finally {
      await r.stop();
    }
  });

  it('lets writes commit while NATS is down, says its events are delayed, and publishes the backlog when NATS returns', async () => {
    const before = await streamMessages();
    await server.stop();
    const r = relay();
    r.start();
    try {
      const waiting = [event('abnormal_operation_listed'), event('credit_commitment_recorded')];
      for (const e of waiting) await db.transaction((tx) => recordCreditEvent(tx, e));
      r.wake();
      const delayed = await until(
        'delayed',
        () => r.status(),
        (s) => s.delayedSince !== null && s.backlog === 2,
      );
      expect(delayed.delayedSince).toEqual(CLOCK);
      expect(delayed.lastError).toEqual(expect.any(String));
      expect((await outboxRow(waiting[0]!.id))!.published_at).toBeNull();

      server = await startNatsServer({ storeDir: store, port });
      await until(
        'caught up',
        () => r.status(),
        (s) => s.delayedSince === null && s.backlog === 0 && s.published === 2,
      );
      expect(await streamMessages()).toBe(before + 2);
      const stored = await storedAt(Number((await outboxRow(waiting[1]!.id))!.stream_seq));
      expect(stored?.event).toEqual(waiting[1]);
    } finally {
      await r.stop();
    }
  });

  it('refuses to record an event it could never publish, and the write with it', async () => {
    const huge = { ...event('penalty_recorded'), data: { text: '罚'.repeat(30_000) } };
    await expect(db.transaction((tx) => recordCreditEvent(tx, huge))).rejects.toThrow(/^the credit event penalty_recorded is 90\d{3} bytes: at most 65536 are published$/);
    await expect(db.transaction((tx) => recordCreditEvent(tx, { ...event('penalty_recorded'), kind: 'penalty.recorded' }))).rejects.toThrow('"penalty.recorded" is not a kind of credit event');
    expect(await outboxRow(huge.id)).toBeUndefined();
  });

  it('stores once an event its last relay published but died before marking', async () => {
    const orphan = event('serious_violation_removed');
    await db.transaction((tx) => recordCreditEvent(tx, orphan));
    // What the relay that died did: published it, and never marked the row.
    const nc = await connect({ servers: `nats://127.0.0.1:${port}` });
    const first = await publishCreditEvent(nc, orphan);
    await nc.close();
    const before = await streamMessages();

    const r = relay();
    r.start();
    try {
      await until(
        'marked',
        () => outboxRow(orphan.id),
        (row) => row?.stream_seq !== null && row?.stream_seq !== undefined,
      );
    } finally {
      await r.stop();
    }
    expect(Number((await outboxRow(orphan.id))!.stream_seq)).toBe(first.seq);
    expect(await streamMessages()).toBe(before);
  });
});
