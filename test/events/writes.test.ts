/**
 * Agencies record credit facts through the graph: a federation of real processes of this file's
 * own (its own PostgreSQL databases, so that what it writes disturbs no other test), with a NATS
 * server of its own. Officers write through the gateway; the test reads what they wrote back
 * through the graph, straight from the agencies' databases, from the access log and from the stream.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { connect } from '@nats-io/transport-node';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CREDIT_STREAM, ensureCreditStream, type CreditEvent } from '../../platform/events/creditStream.js';
import { startNatsServer, type NatsServer } from '../../platform/events/natsServer.js';
import { projectRoot } from '../../platform/config/projectRoot.js';
import { recordsOf, withAuditDatabase } from '../support/audit.js';
import type { CreditEvent__Output } from '../../gateway/generated/proto/meg/events/v1/CreditEvent.js';
import type { WatchRequest } from '../../gateway/generated/proto/meg/events/v1/WatchRequest.js';
import { eventsClient, metadataFor, watch, type Watching } from '../support/grpc.js';
import { CALLERS, headersFor, type Caller } from '../support/callers.js';
import { startFederation, waitUntil, type Federation } from '../support/federation.js';
import type { Untyped } from '../support/untyped.js';

const shared = inject('federation');
const store = mkdtempSync(path.join(os.tmpdir(), 'meg-writes-nats-'));
let nats: NatsServer;
let federation: Federation;
let market: pg.Client;
/** Enterprises registered in Beijing (within the market officer's region 110000) and one in another province. */
let beijing: string[];
let elsewhere: string;

const officer = CALLERS.marketOfficerSupervising;

beforeAll(async () => {
  nats = await startNatsServer({ storeDir: store });
  // The processes' clock stands a week after the decisions the tests record: what is in force, and
  // what an approval system is told of, depends on the day (publicity periods).
  federation = await startFederation({
    backend: 'postgres',
    size: 300,
    seed: shared.seed,
    databases: 'writes',
    extraEnv: { MEG_NATS_URL: nats.url, MEG_CLOCK: '2026-03-10T10:00:00+08:00' },
  });
  market = new pg.Client({ connectionString: federation.env['DATABASE_URL_MARKET'] });
  await market.connect();
  const rows = (await market.query<{ uscc: string; region_code: string }>('SELECT uscc, region_code FROM market_registrations ORDER BY uscc')).rows;
  beijing = rows.filter((r) => r.uscc.slice(2, 4) === '11').map((r) => r.uscc);
  elsewhere = rows.find((r) => r.uscc.slice(2, 4) !== '11')!.uscc;
  expect(beijing.length).toBeGreaterThan(4);
}, 180_000);

afterAll(async () => {
  await market?.end();
  await federation?.stop();
  await nats?.stop();
  rmSync(store, { recursive: true, force: true });
});

interface Answer {
  readonly status: number;
  readonly requestId: string;
  readonly body: { data?: Untyped; errors?: { message: string; extensions: Untyped }[] };
}

async function ask(caller: Caller, query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  const res = await fetch(federation.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await headersFor(federation, caller)) },
    body: JSON.stringify({ query, variables }),
  });
  return { status: res.status, requestId: res.headers.get('x-request-id')!, body: (await res.json()) as Answer['body'] };
}

const RECEIPT = 'receipt { writeId entryId version eventId recordedAt replayed }';

const RECORD_PENALTY = `mutation Record($input: RecordPenaltyInput!, $decision: DecisionInput!, $key: String!) {
  recordPenalty(input: $input, decision: $decision, idempotencyKey: $key) { ${RECEIPT} penalty { entryId version decisionNo amount basis decidedOn publishedOn authority } }
}`;

const LIST_SERIOUS = `mutation List($input: ListSeriousViolationInput!, $decision: DecisionInput!, $key: String!) {
  listSeriousViolation(input: $input, decision: $decision, idempotencyKey: $key) { ${RECEIPT} entry { entryId version decisionNo removedOn } }
}`;

const REMOVE_SERIOUS = `mutation Remove($input: EntryRemovalInput!, $decision: DecisionInput!, $key: String!) {
  removeSeriousViolation(input: $input, decision: $decision, idempotencyKey: $key) { ${RECEIPT} entry { entryId version decisionNo listedOn removedOn } }
}`;

const AUTHORITY = '北京市市场监督管理局';

/** A decision of the market officer's authority with a number of its own. */
function decision(overrides: Record<string, unknown> = {}): Record<string, unknown> {
  return { authority: AUTHORITY, documentNo: `京市监罚〔2026〕${randomUUID().slice(0, 8)}号`, legalBasis: '《中华人民共和国反不正当竞争法》第二十条', decidedOn: '2026-03-02', ...overrides };
}

async function penaltyRows(documentNo: unknown): Promise<number> {
  return (await market.query('SELECT 1 FROM market_penalties WHERE decision_no = $1', [documentNo])).rowCount ?? 0;
}

async function storedEvent(id: string): Promise<CreditEvent | null> {
  const nc = await connect({ servers: nats.url });
  try {
    const jsm = await ensureCreditStream(nc);
    const { messages, last_seq: last } = (await jsm.streams.info(CREDIT_STREAM)).state;
    for (let seq = last; seq > last - messages; seq--) {
      const event = (await jsm.streams.getMessage(CREDIT_STREAM, { seq }))?.json<CreditEvent>();
      if (event?.id === id) return event;
    }
    return null;
  } finally {
    await nc.close();
  }
}

describe('an officer recording a penalty', () => {
  it('is recorded with its provenance, visible in the profile, published as an event and in the access log', async () => {
    const uscc = beijing[0]!;
    const made = decision();
    const answer = await ask(officer, RECORD_PENALTY, {
      input: { uscc, category: 'FINE', cause: '虚假宣传', basis: '《中华人民共和国反不正当竞争法》第八条', result: '罚款', amount: 50_000, publishedOn: '2026-03-05' },
      decision: made,
      key: randomUUID(),
    });
    expect(answer.body.errors).toBeUndefined();
    const written = answer.body.data!['recordPenalty'];
    expect(written.receipt).toMatchObject({ version: 1, replayed: false });
    expect(written.penalty).toMatchObject({ decisionNo: made['documentNo'], amount: 50_000, decidedOn: '2026-03-02', publishedOn: '2026-03-05', authority: AUTHORITY, version: 1 });

    const profile = await ask(CALLERS.public, `query($u: USCC!) { enterprise(uscc: $u) { market { penalties { entryId decisionNo amount } } } }`, { u: uscc });
    expect(profile.body.data!['enterprise'].market.penalties).toContainEqual({ entryId: written.receipt.entryId, decisionNo: made['documentNo'], amount: 50_000 });

    const [provenance] = (
      await market.query('SELECT recorded_by, caller_agency, purpose, authority, document_no, legal_basis, mutation FROM credit_writes WHERE write_id = $1', [written.receipt.writeId])
    ).rows;
    expect(provenance).toEqual({
      recorded_by: officer.claims.sub,
      caller_agency: 'MARKET',
      purpose: 'CREDIT_SUPERVISION',
      authority: AUTHORITY,
      document_no: made['documentNo'],
      legal_basis: made['legalBasis'],
      mutation: 'recordPenalty',
    });

    await waitUntil(async () => (await storedEvent(written.receipt.eventId)) !== null, 30_000, 100);
    expect(await storedEvent(written.receipt.eventId)).toMatchObject({ agency: 'market', kind: 'penalty_recorded', uscc, data: { entryId: written.receipt.entryId, version: 1 } });

    const [record] = await recordsOf(federation, answer.requestId);
    expect(record.outcome).toBe('ok');
    expect(record.enterprises).toContain(uscc);
    expect(record.writes).toEqual([
      expect.objectContaining({ coordinate: 'Mutation.recordPenalty', uscc, effect: 'ALLOW', rule: 'owner_officer_in_jurisdiction', arguments: expect.objectContaining({ decision: made }) }),
    ]);
  });

  it('retried with the same key returns the first answer and writes nothing; the key with other input is refused', async () => {
    const key = randomUUID();
    const variables = { input: { uscc: beijing[1]!, category: 'FINE', cause: '无照经营', basis: '《中华人民共和国反不正当竞争法》第八条', result: '罚款', amount: 1_000 }, decision: decision(), key };
    const first = await ask(officer, RECORD_PENALTY, variables);
    const again = await ask(officer, RECORD_PENALTY, variables);
    expect(again.body.data!['recordPenalty'].receipt).toEqual({ ...first.body.data!['recordPenalty'].receipt, replayed: true });
    expect(await penaltyRows((variables.decision as { documentNo: string }).documentNo)).toBe(1);
    const [events] = (await market.query('SELECT count(*)::int AS n FROM credit_outbox WHERE event_id = $1', [first.body.data!['recordPenalty'].receipt.eventId])).rows;
    expect(events.n).toBe(1);

    const other = await ask(officer, RECORD_PENALTY, { ...variables, input: { ...variables.input, amount: 2_000 } });
    expect(other.body.errors?.[0]?.extensions).toMatchObject({ code: 'IDEMPOTENCY_KEY_REUSED' });
  });

  it('by the wrong agency, out of region, for the wrong purpose or without a token is refused with the reason, and nothing is written', async () => {
    const cases: [Caller, string, string][] = [
      [{ ...CALLERS.taxOfficer, purpose: 'TAX_ADMINISTRATION' }, beijing[2]!, 'not_owner'],
      [officer, elsewhere, 'outside_jurisdiction'],
      [CALLERS.marketOfficer, beijing[2]!, 'write_purpose'],
      [CALLERS.public, beijing[2]!, 'public_principal'],
      [CALLERS.creditSupervisor, beijing[2]!, 'not_owner'],
    ];
    for (const [caller, uscc, rule] of cases) {
      const made = decision();
      const answer = await ask(caller, RECORD_PENALTY, {
        input: { uscc, category: 'FINE', cause: '虚假宣传', basis: '《中华人民共和国反不正当竞争法》第八条', result: '罚款', amount: 10 },
        decision: made,
        key: randomUUID(),
      });
      expect(answer.body.data?.['recordPenalty'] ?? null, caller.name).toBeNull();
      expect(answer.body.errors?.[0]?.extensions, caller.name).toMatchObject({ code: 'FORBIDDEN', rule, coordinate: 'Mutation.recordPenalty' });
      expect(answer.body.errors?.[0]?.message).toContain('nothing was written');
      expect(await penaltyRows(made['documentNo'])).toBe(0);
      const [record] = await recordsOf(federation, answer.requestId);
      expect(record.writes[0]).toMatchObject({ coordinate: 'Mutation.recordPenalty', uscc, effect: 'DENY', rule });
    }
  });

  it('with bad input is refused with every problem named at its input path, and nothing is written', async () => {
    const made = decision({ legalBasis: '  ', decidedOn: '2999-01-01' });
    const answer = await ask(officer, RECORD_PENALTY, {
      input: { uscc: beijing[2]!, category: 'FINE', cause: '虚假宣传', basis: '《中华人民共和国反不正当竞争法》第八条', result: '罚款', amount: -5, publishedOn: '2026-01-01' },
      decision: made,
      key: randomUUID(),
    });
    expect(answer.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    const paths = (answer.body.errors?.[0]?.extensions?.['problems'] as { path: string }[]).map((p) => p.path);
    expect(paths).toEqual(expect.arrayContaining(['input.amount']));
    expect(await penaltyRows(made['documentNo'])).toBe(0);
    const shared = await ask(officer, RECORD_PENALTY, {
      input: { uscc: beijing[2]!, category: 'FINE', cause: '虚假宣传', basis: '《中华人民共和国反不正当竞争法》第八条', result: '罚款', amount: 5 },
      decision: made,
      key: randomUUID(),
    });
    const allPaths = (shared.body.errors?.[0]?.extensions?.['problems'] as { path: string }[]).map((p) => p.path);
    expect(allPaths).toEqual(expect.arrayContaining(['decision.legalBasis', 'decision.decidedOn']));
    expect(await penaltyRows(made['documentNo'])).toBe(0);
  });

  it('under a decision number its authority has used already is refused', async () => {
    const made = decision();
    const first = await ask(officer, RECORD_PENALTY, {
      input: { uscc: beijing[2]!, category: 'FINE', cause: '虚假宣传', basis: '《中华人民共和国反不正当竞争法》第八条', result: '罚款', amount: 5 },
      decision: made,
      key: randomUUID(),
    });
    expect(first.body.errors).toBeUndefined();
    const second = await ask(officer, RECORD_PENALTY, {
      input: { uscc: beijing[3]!, category: 'FINE', cause: '虚假宣传', basis: '《中华人民共和国反不正当竞争法》第八条', result: '罚款', amount: 7 },
      decision: made,
      key: randomUUID(),
    });
    expect(second.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: 'decision.documentNo' }] });
    expect(await penaltyRows(made['documentNo'])).toBe(1);
  });

  it('corrected by a later write supersedes the first version, which stays in the record', async () => {
    const uscc = beijing[3]!;
    const first = (
      await ask(officer, RECORD_PENALTY, {
        input: { uscc, category: 'FINE', cause: '虚假宣传', basis: '《中华人民共和国反不正当竞争法》第八条', result: '罚款', amount: 100 },
        decision: decision(),
        key: randomUUID(),
      })
    ).body.data!['recordPenalty'];
    const seen = { entryId: first.receipt.entryId, version: 1 };
    const corrected = await ask(officer, RECORD_PENALTY, {
      input: { uscc, category: 'FINE', cause: '虚假宣传（更正）', basis: '《中华人民共和国反不正当竞争法》第八条', result: '罚款', amount: 80, supersedes: seen },
      decision: decision(),
      key: randomUUID(),
    });
    expect(corrected.body.data!['recordPenalty'].penalty).toMatchObject({ entryId: seen.entryId, version: 2, amount: 80, decisionNo: first.penalty.decisionNo });
    const profile = await ask(officer, `query($u: USCC!) { enterprise(uscc: $u) { market { penalties { entryId version amount } } } }`, { u: uscc });
    expect(profile.body.data!['enterprise'].market.penalties.filter((p: Untyped) => p.entryId === seen.entryId)).toEqual([{ entryId: seen.entryId, version: 2, amount: 80 }]);
    const versions = (await market.query('SELECT version, amount::float AS amount, superseded_at IS NOT NULL AS superseded FROM market_penalties WHERE entry_id = $1 ORDER BY version', [seen.entryId]))
      .rows;
    expect(versions).toEqual([
      { version: 1, amount: 100, superseded: true },
      { version: 2, amount: 80, superseded: false },
    ]);
    const stale = await ask(officer, RECORD_PENALTY, {
      input: { uscc, category: 'FINE', cause: '虚假宣传', basis: '《中华人民共和国反不正当竞争法》第八条', result: '罚款', amount: 60, supersedes: seen },
      decision: decision(),
      key: randomUUID(),
    });
    expect(stale.body.errors?.[0]?.extensions).toMatchObject({ code: 'CONFLICT' });
  });
});

describe('a listing and its removal', () => {
  it('removes the version seen; a removal racing it, or naming a version since replaced, is answered CONFLICT', async () => {
    const uscc = beijing[4]!;
    const listed = (await ask(officer, LIST_SERIOUS, { input: { uscc, reason: '组织策划传销' }, decision: decision({ decidedOn: '2025-06-01' }), key: randomUUID() })).body.data![
      'listSeriousViolation'
    ];
    expect(listed.entry).toMatchObject({ version: 1, removedOn: null });
    const seen = { entryId: listed.receipt.entryId, version: 1 };
    const removals = await Promise.all([0, 1, 2].map(() => ask(officer, REMOVE_SERIOUS, { input: { uscc, entry: seen }, decision: decision({ decidedOn: '2026-02-01' }), key: randomUUID() })));
    const done = removals.filter((r) => !r.body.errors);
    const refused = removals.filter((r) => r.body.errors);
    expect(done).toHaveLength(1);
    expect(done[0]!.body.data!['removeSeriousViolation'].entry).toMatchObject({ entryId: seen.entryId, version: 2, removedOn: '2026-02-01', listedOn: '2025-06-01' });
    for (const r of refused) expect(r.body.errors?.[0]?.extensions?.['code']).toBe('CONFLICT');

    const current = await ask(officer, REMOVE_SERIOUS, { input: { uscc, entry: { ...seen, version: 2 } }, decision: decision(), key: randomUUID() });
    expect(current.body.errors?.[0]?.extensions?.['code']).toBe('BAD_USER_INPUT');
    expect(current.body.errors?.[0]?.message).toContain('was already removed on 2026-02-01: it cannot be removed again');
    const unknown = await ask(officer, REMOVE_SERIOUS, { input: { uscc, entry: { entryId: randomUUID(), version: 1 } }, decision: decision(), key: randomUUID() });
    expect(unknown.body.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: 'input.entry.entryId' }] });
  });
});

describe('the linked response', () => {
  const MEASURES = 'jointMeasures { measure basis sourceAgency sourceKind sourceEventId sourceEntryId effectiveFrom liftedOn }';
  const PROFILE = `query($c: [USCC!]!) {
    enterprises(uscc: $c) { uscc tax { ${MEASURES} } customs { ${MEASURES} } }
    jointReviewBatch(uscc: $c, matter: BIDDING) { uscc outcome }
    clearance: jointReviewBatch(uscc: $c, matter: CUSTOMS_CLEARANCE) { measures { agency rule measure legalBasis evidence { kind reference } } }
  }`;

  async function profileOf(uscc: string): Promise<{ tax: Untyped; customs: Untyped; outcome: string; clearance: Untyped[] }> {
    const answer = await ask(CALLERS.procurement, PROFILE, { c: [uscc] });
    expect(answer.body.errors).toBeUndefined();
    const [enterprise] = answer.body.data!['enterprises'];
    return { tax: enterprise.tax, customs: enterprise.customs, outcome: answer.body.data!['jointReviewBatch'][0].outcome, clearance: answer.body.data!['clearance'][0].measures };
  }

  it("answers a serious-violation listing with other agencies' measures, changes the review's verdict, and lifts both on removal", async () => {
    // An enterprise of Beijing known to tax and to customs on which no review rule finds anything today.
    const tax = new pg.Client({ connectionString: federation.env['DATABASE_URL_TAX'] });
    const customs = new pg.Client({ connectionString: federation.env['DATABASE_URL_CUSTOMS'] });
    await tax.connect();
    await customs.connect();
    let uscc: string | undefined;
    try {
      for (const code of beijing.slice(5)) {
        const known =
          (await tax.query('SELECT 1 FROM tax_taxpayers WHERE uscc = $1', [code])).rowCount && (await customs.query('SELECT 1 FROM customs_registrations WHERE uscc = $1', [code])).rowCount;
        const before = known ? await profileOf(code) : null;
        if (before?.outcome === 'PASS' && before.clearance.length === 0) {
          uscc = code;
          break;
        }
      }
    } finally {
      await tax.end();
      await customs.end();
    }
    expect(uscc, 'a Beijing enterprise known to tax and customs, on which no review rule finds anything').toBeDefined();

    const listed = (await ask(officer, LIST_SERIOUS, { input: { uscc, reason: '提交虚假材料' }, decision: decision({ decidedOn: '2026-01-05' }), key: randomUUID() })).body.data![
      'listSeriousViolation'
    ];
    // The listing is in the review at once; the responding agencies' measures follow as they consume the event.
    expect((await profileOf(uscc!)).outcome).toBe('PROHIBIT');
    await waitUntil(
      async () => {
        const p = await profileOf(uscc!);
        return p.tax.jointMeasures.length > 0 && p.customs.jointMeasures.length > 0;
      },
      30_000,
      100,
    );
    const responded = await profileOf(uscc!);
    expect(responded.tax.jointMeasures).toEqual([
      expect.objectContaining({
        measure: 'TAX_KEY_SUPERVISION',
        basis: expect.stringContaining('备忘录'),
        sourceAgency: 'market',
        sourceKind: 'serious_violation_listed',
        sourceEventId: listed.receipt.eventId,
        sourceEntryId: listed.receipt.entryId,
        liftedOn: null,
      }),
    ]);
    expect(responded.customs.jointMeasures).toEqual([expect.objectContaining({ measure: 'CUSTOMS_CERTIFICATION_REFUSED', liftedOn: null })]);
    // A customs clearance review weighs customs' own measure beside market's listing.
    expect(responded.clearance).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ agency: 'MARKET', rule: 'serious_violation', measure: 'RESTRICT' }),
        {
          agency: 'CUSTOMS',
          rule: 'customs_joint_measures',
          measure: 'RESTRICT',
          legalBasis: expect.stringContaining('2045'),
          evidence: [{ kind: 'JOINT_MEASURE', reference: 'CUSTOMS_CERTIFICATION_REFUSED' }],
        },
      ]),
    );

    const removed = (
      await ask(officer, REMOVE_SERIOUS, { input: { uscc, entry: { entryId: listed.receipt.entryId, version: 1 } }, decision: decision({ decidedOn: '2026-02-05' }), key: randomUUID() })
    ).body.data!['removeSeriousViolation'];
    expect(removed.entry.removedOn).toBe('2026-02-05');
    await waitUntil(
      async () => {
        const p = await profileOf(uscc!);
        return p.tax.jointMeasures.every((m: Untyped) => m.liftedOn !== null) && p.customs.jointMeasures.every((m: Untyped) => m.liftedOn !== null);
      },
      30_000,
      100,
    );
    const lifted = await profileOf(uscc!);
    expect(lifted.outcome).toBe('PASS');
    expect(lifted.clearance).toEqual([]);
    expect(lifted.tax.jointMeasures).toEqual([expect.objectContaining({ measure: 'TAX_KEY_SUPERVISION', liftedOn: removed.receipt.recordedAt })]);
  });
});

describe('watching credit events', () => {
  const TAX_ARREARS = `mutation Arrears($input: RecordTaxArrearsInput!, $decision: DecisionInput!, $key: String!) {
    recordTaxArrears(input: $input, decision: $decision, idempotencyKey: $key) { receipt { eventId entryId } }
  }`;
  const taxOfficer = { ...CALLERS.taxOfficer, claims: { ...CALLERS.taxOfficer.claims, region: '100000' } };

  it('delivers what is recorded, filtered and masked by the subscriber’s policy, records each delivery, and resumes from a sequence missing nothing', async () => {
    const client = eventsClient(federation.grpcAddress);
    const [first, second] = [beijing[6]!, beijing[7]!];
    // A procurement system watches two enterprises, from where the stream stands (however long its call takes to start).
    const live = watch(client, { uscc: [first, second], afterSequence: String(await streamLastSeq()) }, await metadataFor(federation, CALLERS.procurement));
    const penalty = (
      await ask(officer, RECORD_PENALTY, {
        input: { uscc: first, category: 'FINE', cause: '虚假宣传', basis: '《中华人民共和国反不正当竞争法》第八条', result: '罚款', amount: 12_345 },
        decision: decision(),
        key: randomUUID(),
      })
    ).body.data!['recordPenalty'];
    const arrears = (
      await ask(taxOfficer, TAX_ARREARS, {
        input: { uscc: second, taxType: '增值税', amount: 250_000, since: '2025-11-01' },
        decision: decision({ authority: '国家税务总局北京市税务局' }),
        key: randomUUID(),
      })
    ).body.data!['recordTaxArrears'];
    expect(arrears.receipt.eventId).toBeDefined();
    // An event about an enterprise not watched is not delivered.
    await ask(officer, RECORD_PENALTY, {
      input: { uscc: beijing[8]!, category: 'FINE', cause: '虚假宣传', basis: '《中华人民共和国反不正当竞争法》第八条', result: '罚款', amount: 1 },
      decision: decision(),
      key: randomUUID(),
    });
    await waitUntil(async () => live.received.length >= 2, 30_000, 50);
    live.cancel();
    await live.ended;
    expect(live.received.map((e) => e.id)).toEqual([penalty.receipt.eventId, arrears.receipt.eventId]);
    const [shownPenalty, shownArrears] = live.received;
    expect(shownPenalty).toMatchObject({ agency: 'market', kind: 'penalty_recorded', uscc: first, entryType: 'AdministrativePenalty', entryId: penalty.receipt.entryId, version: 1 });
    expect(fieldsOf(shownPenalty!)).toMatchObject({ amount: '12345', cause: '虚假宣传' });
    // Procurement acts for a purpose tax shares arrears for: it sees them in full.
    expect(shownArrears).toMatchObject({ kind: 'tax_arrears_recorded', entryType: 'TaxArrear', masked: [], withheld: [] });
    expect(fieldsOf(shownArrears!)).toMatchObject({ amount: '250000', taxType: '增值税', since: '2025-11-01' });
    // A green-channel system sees the same arrears as a query would show them to it: the amount as a band, the tax withheld.
    const incentive = watch(client, { uscc: [second], afterSequence: shownPenalty!.sequence }, await metadataFor(federation, CALLERS.incentiveSystem));
    await waitUntil(async () => incentive.received.length >= 1, 30_000, 50);
    incentive.cancel();
    await incentive.ended;
    expect(incentive.received[0]).toMatchObject({ id: arrears.receipt.eventId, masked: ['TaxArrear.amount'], withheld: expect.arrayContaining(['TaxArrear.taxType']) });
    expect(fieldsOf(incentive.received[0]!)['amount']).toBe('100k-1M');
    expect(fieldsOf(incentive.received[0]!)['taxType']).toBeUndefined();

    // The public may not watch; a caller whose policy withholds tax arrears does not receive them.
    const refused = watch(client, { newOnly: true }, await metadataFor(federation, CALLERS.auditor));
    expect((await refused.ended).code).toBe(7);
    const customs = watch(client, { uscc: [second], afterSequence: String(Number(shownPenalty!.sequence) - 1) }, await metadataFor(federation, CALLERS.customsOfficer));
    await new Promise((r) => setTimeout(r, 1_500));
    customs.cancel();
    await customs.ended;
    expect(customs.received.filter((e) => e.kind === 'tax_arrears_recorded')).toEqual([]);

    // Resumed after the first event, the procurement system gets the second again and nothing is lost.
    const resumed = watch(client, { uscc: [first, second], afterSequence: shownPenalty!.sequence }, await metadataFor(federation, CALLERS.procurement));
    await waitUntil(async () => resumed.received.length >= 1, 30_000, 50);
    resumed.cancel();
    await resumed.ended;
    expect(resumed.received[0]!.id).toBe(arrears.receipt.eventId);

    // Each delivery is on record, with the enterprise and the decisions it rested on.
    const deliveries = await withAuditDatabase(federation, async (c) =>
      (await c.query<{ record: string }>(`SELECT record FROM audit_records WHERE record LIKE '%' || $1 || '%'`, [penalty.receipt.eventId])).rows.map((r) => JSON.parse(r.record)),
    );
    expect(deliveries).toEqual(expect.arrayContaining([expect.objectContaining({ channel: 'grpc', operationName: 'CreditEventService/Watch', enterprises: [first], outcome: 'ok' })]));
  });

  it('can be watched with grpcurl through reflection alone, as the README shows', async () => {
    const grpcurl = process.env['MEG_GRPCURL'] ?? path.join(projectRoot, '.tools/grpcurl-v1.9.3/grpcurl');
    const headers = await headersFor(federation, CALLERS.procurement);
    const uscc = beijing[11]!;
    const written = (
      await ask(officer, RECORD_PENALTY, {
        input: { uscc, category: 'FINE', cause: '虚假宣传', basis: '《中华人民共和国反不正当竞争法》第八条', result: '罚款', amount: 4_321 },
        decision: decision(),
        key: randomUUID(),
      })
    ).body.data!['recordPenalty'];
    await waitUntil(async () => (await storedEvent(written.receipt.eventId)) !== null, 30_000, 100);
    // Not a stream that ends by itself: grpcurl is stopped after a while, with what it printed.
    const out = await new Promise<string>((resolve) => {
      execFile(
        grpcurl,
        [
          '-plaintext',
          '-max-time',
          '3',
          '-H',
          `authorization: ${headers['authorization']}`,
          '-H',
          `x-purpose: ${headers['x-purpose']}`,
          '-d',
          JSON.stringify({ uscc: [uscc], afterSequence: 0 }),
          federation.grpcAddress,
          'meg.events.v1.CreditEventService/Watch',
        ],
        { encoding: 'utf8' },
        (_error, stdout) => resolve(stdout),
      );
    });
    expect(out).toContain(written.receipt.eventId);
    expect(out).toContain('"name": "amount"');
  });

  it('answers bad requests with INVALID_ARGUMENT naming what was wrong', async () => {
    const client = eventsClient(federation.grpcAddress);
    const metadata = await metadataFor(federation, CALLERS.procurement);
    for (const [request, words] of [
      [{ uscc: ['91110000600037341X'] }, 'uscc[0]'],
      [{ kinds: ['Serious Violation'] }, 'kinds[0]'],
      [{ newOnly: true, afterSequence: '5' }, 'new_only'],
    ] satisfies [WatchRequest, string][]) {
      const call = watch(client, request, metadata);
      const status = await call.ended;
      expect(status.code).toBe(3);
      expect(status.details).toContain(words);
    }
  });

  it('gives the same history as GraphQL, page by page', async () => {
    const uscc = beijing[9]!;
    const ids: string[] = [];
    for (const amount of [1, 2, 3])
      ids.push(
        (
          await ask(officer, RECORD_PENALTY, {
            input: { uscc, category: 'FINE', cause: '虚假宣传', basis: '《中华人民共和国反不正当竞争法》第八条', result: '罚款', amount },
            decision: decision(),
            key: randomUUID(),
          })
        ).body.data!['recordPenalty'].receipt.eventId,
      );
    const PAGE = `query($u: USCC!, $after: String) { creditEvents(uscc: $u, first: 2, after: $after) { pageInfo { endCursor hasNextPage } edges { cursor node { id kind entryType entry { name value } } } } }`;
    const one = await ask(CALLERS.procurement, PAGE, { u: uscc });
    expect(one.body.errors).toBeUndefined();
    const page1 = one.body.data!['creditEvents'];
    expect(page1.edges.map((e: Untyped) => e.node.id)).toEqual(ids.slice(0, 2));
    expect(page1.pageInfo.hasNextPage).toBe(true);
    expect(page1.edges[0].node.entry).toContainEqual({ name: 'amount', value: '1' });
    const page2 = (await ask(CALLERS.procurement, PAGE, { u: uscc, after: page1.pageInfo.endCursor })).body.data!['creditEvents'];
    expect(page2.edges.map((e: Untyped) => e.node.id)).toEqual(ids.slice(2));
    expect(page2.pageInfo.hasNextPage).toBe(false);
    const publicAsk = await ask(CALLERS.public, PAGE, { u: uscc });
    expect(publicAsk.body.data?.['creditEvents'] ?? null).toBeNull();
  });
});

describe('a write whose event could not go out at once', () => {
  it('survives NATS stopping and the agency being killed after its commit: the event goes out once, and a resumed Watch gets it', async () => {
    const uscc = beijing[10]!;
    const client = eventsClient(federation.grpcAddress);
    const procurement = await metadataFor(federation, CALLERS.procurement);
    // Where the stream stood before: a Watch from here must get the write's event, once.
    const before = await streamLastSeq();

    const port = Number(new URL(nats.url).port);
    await nats.stop();
    const written = await ask(officer, RECORD_PENALTY, {
      input: { uscc, category: 'FINE', cause: '虚假宣传', basis: '《中华人民共和国反不正当竞争法》第八条', result: '罚款', amount: 777 },
      decision: decision(),
      key: randomUUID(),
    });
    expect(written.body.errors).toBeUndefined();
    const { eventId } = written.body.data!['recordPenalty'].receipt;
    // Committed, and waiting: the agency is still ready, and says its events are delayed.
    await waitUntil(async () => (await (await fetch(`${federation.adminUrls.market}/readyz`)).json()).events.status === 'delayed', 30_000, 100);
    const [waiting] = (await market.query('SELECT published_at FROM credit_outbox WHERE event_id = $1', [eventId])).rows;
    expect(waiting.published_at).toBeNull();

    // The agency dies before it could publish; NATS comes back; the agency is started again.
    await federation.killAgency('market');
    nats = await startNatsServer({ storeDir: store, port });
    await federation.startAgency('market', { MEG_NATS_URL: nats.url });
    await waitUntil(async () => (await market.query('SELECT 1 FROM credit_outbox WHERE event_id = $1 AND published_at IS NOT NULL', [eventId])).rowCount === 1, 30_000, 100);

    let resumed: Watching | null = null;
    await waitUntil(
      async () => {
        resumed?.cancel();
        resumed = watch(client, { uscc: [uscc], afterSequence: String(before) }, procurement);
        await new Promise((r) => setTimeout(r, 1_000));
        return resumed.received.some((e) => e.id === eventId);
      },
      30_000,
      100,
    );
    const got = resumed!;
    got.cancel();
    await got.ended;
    expect(got.received.filter((e) => e.id === eventId)).toHaveLength(1);
    expect(await storedEvent(eventId)).toMatchObject({ kind: 'penalty_recorded', uscc });
  });
});

async function streamLastSeq(): Promise<number> {
  const nc = await connect({ servers: nats.url });
  try {
    return (await (await ensureCreditStream(nc)).streams.info(CREDIT_STREAM)).state.last_seq;
  } finally {
    await nc.close();
  }
}

/** An event's entry fields by name. */
function fieldsOf(event: CreditEvent__Output): Record<string, string> {
  return Object.fromEntries(event.entry.map((f) => [f.name, f.value]));
}
