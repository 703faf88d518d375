/**
 * An agency's subgraph publishes its credit events as they are recorded: a market subgraph runs in
 * this test process over the shared federation's market database, with a NATS server of this
 * file's own named in MEG_NATS_URL. What a write commits to its outbox reaches the stream, and the
 * subgraph's readiness (its admin port) says whether its events are published or delayed, without
 * ever making the agency unready for it.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { openDatabase, type Database } from '../../platform/db/database.js';
import { CREDIT_STREAM, ensureCreditStream, type CreditEvent } from '../../platform/events/creditStream.js';
import { startNatsServer, type NatsServer } from '../../platform/events/natsServer.js';
import { MarketSource } from '../../subgraphs/market/data/MarketSource.js';
import { resolvers } from '../../subgraphs/market/resolvers/index.js';
import { loadSubgraphConfig } from '../../subgraphs/runtime/config.js';
import { recordCreditEvent } from '../../subgraphs/runtime/outbox.js';
import { runSubgraph, type RunningSubgraph } from '../../subgraphs/runtime/subgraphServer.js';
import { waitUntil } from '../support/federation.js';

const federation = inject('federation');
const store = mkdtempSync(path.join(os.tmpdir(), 'meg-subgraph-events-'));
let nats: NatsServer;
let market: RunningSubgraph | undefined;
let db: Database;

beforeAll(async () => {
  nats = await startNatsServer({ storeDir: store });
  const config = loadSubgraphConfig('market', { ...federation.env, MEG_MARKET_PORT: '0', MEG_MARKET_ADMIN_PORT: '0', MEG_NATS_URL: nats.url });
  market = await runSubgraph({ agency: 'market', resolvers, createSources: (sources, cursors) => new MarketSource(sources, cursors) }, config);
  // A write of the agency's, as its mutations will make it: the fact and its event in one transaction.
  db = await openDatabase({ url: federation.env['DATABASE_URL_MARKET']! }, { poolSize: 1 });
});

afterAll(async () => {
  await market?.stop();
  await db?.close();
  await nats?.stop();
  rmSync(store, { recursive: true, force: true });
});

const event = (kind: string): CreditEvent => ({ id: randomUUID(), agency: 'market', kind, uscc: '91110000600037341L', occurredAt: new Date().toISOString(), data: {} });

async function readiness(): Promise<{ status: number; body: { status: string; events: { status: string; waiting: number; since?: string } } }> {
  const res = await fetch(`${market!.adminUrl}/readyz`);
  return { status: res.status, body: (await res.json()) as never };
}

async function stored(id: string): Promise<boolean> {
  const nc = await connect({ servers: nats.url });
  try {
    const jsm = await ensureCreditStream(nc);
    const { messages, last_seq: last } = (await jsm.streams.info(CREDIT_STREAM)).state;
    for (let seq = last; seq > last - messages; seq--) if ((await jsm.streams.getMessage(CREDIT_STREAM, { seq }))?.json<CreditEvent>().id === id) return true;
    return false;
  } finally {
    await nc.close();
  }
}

describe("a subgraph's credit events", () => {
  it('reach the stream once recorded, and readiness says they are published', async () => {
    const listed = event('serious_violation_listed');
    await db.transaction((tx) => recordCreditEvent(tx, listed));
    await waitUntil(() => stored(listed.id), 30_000, 100);
    await waitUntil(async () => (await readiness()).body.events.waiting === 0, 30_000, 100);
    expect(await readiness()).toMatchObject({ status: 200, body: { status: 'ready', events: { status: 'published', waiting: 0 } } });
  });

  it('wait in the outbox while NATS is down, readiness saying so with the agency still ready, and go out when it returns', async () => {
    const port = Number(new URL(nats.url).port);
    await nats.stop();
    const waiting = event('abnormal_operation_listed');
    await db.transaction((tx) => recordCreditEvent(tx, waiting));
    await waitUntil(async () => (await readiness()).body.events.status === 'delayed', 30_000, 100);
    await waitUntil(async () => (await readiness()).body.events.waiting >= 1, 30_000, 100);
    expect(await readiness()).toMatchObject({ status: 200, body: { status: 'ready', events: { status: 'delayed', since: expect.any(String) } } });

    nats = await startNatsServer({ storeDir: store, port });
    await waitUntil(async () => (await readiness()).body.events.status === 'published' && (await readiness()).body.events.waiting === 0, 30_000, 100);
    expect(await stored(waiting.id)).toBe(true);
  });
});
