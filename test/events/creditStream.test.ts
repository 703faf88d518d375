/**
 * The credit events' stream on a real NATS server with JetStream (the pinned nats-server, started
 * for this file on a port of its own, so that runs never share a stream): an event is stored once
 * however often it is published under its id, on the subject of its agency and kind, and it is
 * still there after the server restarts on the same store.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { jetstreamManager, StorageType } from '@nats-io/jetstream';
import { connect, nanos, type NatsConnection } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CREDIT_STREAM, creditSubject, ensureCreditStream, publishCreditEvent, type CreditEvent } from '../../platform/events/creditStream.js';
import { startNatsServer, type NatsServer } from '../../platform/events/natsServer.js';

const store = mkdtempSync(path.join(os.tmpdir(), 'meg-nats-'));
let server: NatsServer;
let nc: NatsConnection;

beforeAll(async () => {
  server = await startNatsServer({ storeDir: store });
  nc = await connect({ servers: server.url });
});

afterAll(async () => {
  await nc?.close();
  await server?.stop();
  rmSync(store, { recursive: true, force: true });
});

const event = (id: string, kind = 'serious_violation_listed', agency: CreditEvent['agency'] = 'market'): CreditEvent => ({
  id,
  agency,
  kind,
  uscc: '91110000600037341L',
  occurredAt: '2026-12-02T08:00:00.000Z',
  data: { decisionNumber: '京市监罚〔2026〕1号', legalBasis: '《市场监督管理严重违法失信名单管理办法》第二条' },
});

describe('the credit events stream', () => {
  it('is created once, on file storage, over every agency and kind, with a day to drop duplicates', async () => {
    await ensureCreditStream(nc);
    const jsm = await ensureCreditStream(nc);
    const info = await jsm.streams.info(CREDIT_STREAM);
    expect(info.config).toMatchObject({ name: 'MEG_CREDIT_EVENTS', subjects: ['meg.credit.>'], storage: 'file', duplicate_window: 24 * 60 * 60 * 1e9 });
  });

  it('stores an event published twice under its id once, and says the second was a duplicate', async () => {
    const first = await publishCreditEvent(nc, event('7b0b2c1e-0000-4000-8000-000000000001'));
    const again = await publishCreditEvent(nc, event('7b0b2c1e-0000-4000-8000-000000000001'));
    expect(first.duplicate).toBe(false);
    expect(again).toEqual({ seq: first.seq, duplicate: true });
    const other = await publishCreditEvent(nc, event('7b0b2c1e-0000-4000-8000-000000000002', 'tax_arrears_recorded', 'tax'));
    expect(other).toEqual({ seq: first.seq + 1, duplicate: false });

    const jsm = await ensureCreditStream(nc);
    const stored = await jsm.streams.getMessage(CREDIT_STREAM, { seq: first.seq });
    expect(stored?.subject).toBe('meg.credit.market.serious_violation_listed');
    expect(stored?.json()).toEqual(event('7b0b2c1e-0000-4000-8000-000000000001'));
    expect((await jsm.streams.getMessage(CREDIT_STREAM, { seq: other.seq }))?.subject).toBe('meg.credit.tax.tax_arrears_recorded');
    expect((await jsm.streams.info(CREDIT_STREAM)).state.messages).toBe(2);
  });

  it('keeps its events, and still drops their duplicates, after the server restarts on the same store', async () => {
    const before = await publishCreditEvent(nc, event('7b0b2c1e-0000-4000-8000-000000000003', 'abnormal_operation_listed'));
    await nc.close();
    await server.stop();
    server = await startNatsServer({ storeDir: store });
    nc = await connect({ servers: server.url });
    const jsm = await ensureCreditStream(nc);
    expect((await jsm.streams.getMessage(CREDIT_STREAM, { seq: before.seq }))?.json()).toEqual(event('7b0b2c1e-0000-4000-8000-000000000003', 'abnormal_operation_listed'));
    expect(await publishCreditEvent(nc, event('7b0b2c1e-0000-4000-8000-000000000003', 'abnormal_operation_listed'))).toEqual({ seq: before.seq, duplicate: true });
  });

  it('refuses a subject that is not an agency of the registry and a kind, before anything is sent', () => {
    expect(() => creditSubject('market', 'listed.>')).toThrow('"listed.>" is not a kind of credit event: lower-case words joined by "_"');
    expect(() => creditSubject('police' as CreditEvent['agency'], 'listed')).toThrow('"police" is not an agency of the registry');
  });
});

describe('a stream of that name made otherwise', () => {
  it('is brought to a day of duplicates and every subject, and refused when it keeps its messages in memory', async () => {
    const other = await startNatsServer({ storeDir: path.join(store, 'other') });
    const oc = await connect({ servers: other.url });
    try {
      const jsm = await jetstreamManager(oc);
      await jsm.streams.add({ name: CREDIT_STREAM, subjects: ['meg.credit.market.>'], storage: StorageType.File, duplicate_window: nanos(1_000) });
      await ensureCreditStream(oc);
      expect((await jsm.streams.info(CREDIT_STREAM)).config).toMatchObject({ subjects: ['meg.credit.>'], duplicate_window: 24 * 60 * 60 * 1e9 });

      await jsm.streams.delete(CREDIT_STREAM);
      await jsm.streams.add({ name: CREDIT_STREAM, subjects: ['meg.credit.>'], storage: StorageType.Memory });
      await expect(ensureCreditStream(oc)).rejects.toThrow('the stream MEG_CREDIT_EVENTS on this NATS server keeps its messages in memory: credit events need file storage to outlive a restart');
    } finally {
      await oc.close();
      await other.stop();
    }
  });
});

describe('the NATS server the project starts', () => {
  it('says so when its binary cannot be run, and the process goes on', async () => {
    const notProgram = path.join(store, 'not-a-program');
    writeFileSync(notProgram, 'not a program', { mode: 0o644 });
    await expect(startNatsServer({ storeDir: path.join(store, 'third'), binary: notProgram })).rejects.toThrow(`nats-server at ${notProgram} cannot be run: spawn ${notProgram} EACCES`);
  });

  it('says why when it cannot start, with the server’s own words', async () => {
    const taken = server.url.split(':').at(-1)!;
    await expect(startNatsServer({ storeDir: path.join(store, 'second'), port: Number(taken), readyTimeoutMs: 10_000 })).rejects.toThrow(
      /nats-server exited before it listened: .*address already in use/s,
    );
  });
});
