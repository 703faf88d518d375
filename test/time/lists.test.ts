/**
 * The credit lists over time, across real processes on an injected clock: every process of this
 * file's federation runs from 10:00 on Wednesday 4 March 2026 (MEG_CLOCK), its schedulers every
 * second, with its own PostgreSQL databases and NATS server. An enterprise on the abnormal-operations
 * list for three years moves to the serious-violation list; a serious-violation entry leaves it three
 * years after its listing; each move is the market scheduler's recorded, evented write, which the
 * other agencies answer as they answer an officer's, and officers can see what is due before it is.
 */
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { startNatsServer, type NatsServer } from '../../platform/events/natsServer.js';
import * as grpc from '@grpc/grpc-js';
import { CALLERS, headersFor, type Caller } from '../support/callers.js';
import { metadataFor, review, reviewClient, verdictOf } from '../support/grpc.js';
import { startFederation, waitUntil, type Federation } from '../support/federation.js';
import type { Untyped } from '../support/untyped.js';

const shared = inject('federation');
const store = mkdtempSync(path.join(os.tmpdir(), 'meg-lists-nats-'));
const AUTHORITY = `北京市测试区市场监督管理局-${randomUUID().slice(0, 8)}`;
const officer = CALLERS.marketOfficerSupervising;
let nats: NatsServer;
let federation: Federation;
let market: pg.Client;
let beijing: string[];

beforeAll(async () => {
  nats = await startNatsServer({ storeDir: store });
  federation = await startFederation({
    backend: 'postgres',
    size: 200,
    seed: shared.seed,
    databases: 'lists',
    extraEnv: { MEG_NATS_URL: nats.url, MEG_CLOCK: '2026-03-04T10:00:00+08:00', MEG_SCHEDULER_INTERVAL_SECONDS: '1' },
  });
  market = new pg.Client({ connectionString: federation.env['DATABASE_URL_MARKET'] });
  await market.connect();
  // Enterprises of Beijing on no list, so that what the test lists is all there is.
  const rows = await market.query<{ uscc: string }>(
    `SELECT uscc FROM market_registrations r WHERE substr(uscc, 3, 2) = '11'
        AND NOT EXISTS (SELECT 1 FROM market_abnormal_operations a WHERE a.uscc = r.uscc)
        AND NOT EXISTS (SELECT 1 FROM market_serious_violations s WHERE s.uscc = r.uscc)
      ORDER BY uscc`,
  );
  // … and registered with the tax administration, whose linked response the test follows.
  const tax = new pg.Client({ connectionString: federation.env['DATABASE_URL_TAX'] });
  await tax.connect();
  const taxpayers = new Set((await tax.query<{ uscc: string }>('SELECT uscc FROM tax_taxpayers')).rows.map((r) => r.uscc));
  await tax.end();
  beijing = rows.rows.map((r) => r.uscc).filter((uscc) => taxpayers.has(uscc));
  expect(beijing.length).toBeGreaterThan(4);
}, 180_000);

afterAll(async () => {
  await market?.end();
  await federation?.stop();
  await nats?.stop();
  rmSync(store, { recursive: true, force: true });
});

async function ask(caller: Caller, query: string, variables: Record<string, unknown> = {}): Promise<{ data?: Untyped; errors?: { message: string; extensions: Untyped }[] }> {
  const res = await fetch(federation.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await headersFor(federation, caller)) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as { data?: Untyped; errors?: { message: string; extensions: Untyped }[] };
}

function decision(decidedOn: string): Record<string, string> {
  return { authority: AUTHORITY, documentNo: `京测〔2023〕${randomUUID().slice(0, 8)}号`, legalBasis: '《企业信息公示暂行条例》', decidedOn };
}

const LIST_ABNORMAL = `mutation($input: ListAbnormalOperationInput!, $decision: DecisionInput!, $key: String!) {
  listAbnormalOperation(input: $input, decision: $decision, idempotencyKey: $key) { entry { entryId } } }`;
const LIST_SERIOUS = `mutation($input: ListSeriousViolationInput!, $decision: DecisionInput!, $key: String!) {
  listSeriousViolation(input: $input, decision: $decision, idempotencyKey: $key) { entry { entryId } } }`;
const LISTS = `query($u: USCC!) { enterprise(uscc: $u) { market {
  seriousViolations { entryId decisionNo reason listedOn removedOn publicity }
  abnormalOperations { entryId removedOn publicity } } tax { jointMeasures { measure sourceKind liftedOn } } } }`;
const DUE = `query($asOf: Date) { listMovesDue(asOf: $asOf) { step uscc entryId listedOn due authority reason basis } }`;

async function listAbnormal(uscc: string, decidedOn: string): Promise<string> {
  const answer = await ask(officer, LIST_ABNORMAL, { input: { uscc, reason: 'UNREACHABLE_AT_ADDRESS' }, decision: decision(decidedOn), key: randomUUID() });
  expect(answer.errors).toBeUndefined();
  return answer.data!['listAbnormalOperation'].entry.entryId as string;
}

describe('the credit lists over time', () => {
  it('moves an enterprise three years on the abnormal-operations list to the serious-violation list, as a write the other agencies answer', async () => {
    const [due, notYet] = [beijing[0]!, beijing[1]!];
    // Listed on 3 March 2023, its three years ran to 3 March 2026: it moves on the 4th. The other a day later.
    const abnormal = await listAbnormal(due, '2023-03-03');
    const later = await listAbnormal(notYet, '2023-03-04');

    // What falls due by tomorrow, before it does: the dry run names the later move and makes nothing.
    const tomorrow = await ask(CALLERS.creditSupervisor, DUE, { asOf: '2026-03-05' });
    expect(tomorrow.errors).toBeUndefined();
    expect(tomorrow.data!['listMovesDue']).toContainEqual(
      expect.objectContaining({
        step: 'ABNORMAL_TO_SERIOUS',
        uscc: notYet,
        entryId: later,
        listedOn: '2023-03-04',
        due: '2026-03-05',
        authority: AUTHORITY,
        reason: '被列入经营异常名录届满3年仍未履行相关义务',
      }),
    );
    const today = await ask(CALLERS.creditSupervisor, DUE);
    expect((today.data!['listMovesDue'] as Untyped[]).map((m) => m['entryId'])).not.toContain(later);

    // The scheduler makes the move due today: a listing dated today, in the authority's name.
    const seen = async (uscc: string) => (await ask(officer, LISTS, { u: uscc })).data!['enterprise'];
    await waitUntil(async () => (await seen(due)).market.seriousViolations.length > 0, 20_000);
    const moved = (await seen(due)).market.seriousViolations[0];
    expect(moved).toMatchObject({
      reason: '被列入经营异常名录届满3年仍未履行相关义务',
      listedOn: '2026-03-04',
      removedOn: null,
      publicity: 'PUBLIC',
      decisionNo: `MEG-SCHEDULE/ABNORMAL_TO_SERIOUS/${abnormal}`,
    });
    const [write] = (
      await market.query<{ recorded_by: string; authority: string; decided_on: string }>(
        'SELECT recorded_by, authority, decided_on::text AS decided_on FROM credit_writes WHERE idempotency_key = $1',
        [`scheduled:ABNORMAL_TO_SERIOUS:${abnormal}`],
      )
    ).rows;
    expect(write).toEqual({ recorded_by: 'scheduler', authority: AUTHORITY, decided_on: '2026-03-04' });

    // Its event reaches the tax administration, which puts the enterprise under key supervision as for an officer's listing.
    await waitUntil(async () => ((await seen(due)).tax?.jointMeasures ?? []).some((m: Untyped) => m['sourceKind'] === 'serious_violation_listed' && m['liftedOn'] === null), 20_000);

    // Made once: the scheduler has run since, and the abnormal entry still stands.
    await new Promise((r) => setTimeout(r, 2_500));
    expect((await seen(due)).market.seriousViolations).toHaveLength(1);
    expect((await seen(due)).market.abnormalOperations).toEqual([{ entryId: abnormal, removedOn: null, publicity: 'PUBLIC' }]);
    expect((await seen(notYet)).market.seriousViolations).toEqual([]);
  });

  it('takes an entry off the serious-violation list three years after its listing: its publicity ends, and the joint measures it caused are lifted', async () => {
    const uscc = beijing[2]!;
    const listed = await ask(officer, LIST_SERIOUS, { input: { uscc, reason: '组织策划传销' }, decision: decision('2023-03-03'), key: randomUUID() });
    expect(listed.errors).toBeUndefined();
    const entryId = listed.data!['listSeriousViolation'].entry.entryId as string;

    const seen = async (caller: Caller) => (await ask(caller, LISTS, { u: uscc })).data!['enterprise'];
    await waitUntil(async () => (await seen(officer)).market.seriousViolations.some((e: Untyped) => e['entryId'] === entryId && e['removedOn'] === '2026-03-04'), 20_000);
    expect((await seen(officer)).market.seriousViolations).toEqual([expect.objectContaining({ entryId, removedOn: '2026-03-04', publicity: 'ENDED', decisionNo: expect.stringMatching(/^京测/) })]);
    expect((await seen(CALLERS.public)).market.seriousViolations).toEqual([]);
    // The listing's own event put the enterprise under tax key supervision; the removal lifts it.
    await waitUntil(async () => ((await seen(officer)).tax?.jointMeasures ?? []).some((m: Untyped) => m['sourceKind'] === 'serious_violation_listed' && m['liftedOn'] !== null), 20_000);
  });

  it('ends a major tax violation case the day after its three years of publicity, lifting the measures it caused', async () => {
    const uscc = beijing[4]!;
    const taxOfficer: Caller = {
      name: 'a Beijing tax officer',
      claims: { sub: 'tax-officer-bj', agency: 'TAX', roles: ['officer'], purposes: ['TAX_ADMINISTRATION'], region: '110000' },
      purpose: 'TAX_ADMINISTRATION',
    };
    const listed = await ask(
      taxOfficer,
      `mutation($input: ListMajorTaxViolationInput!, $decision: DecisionInput!, $key: String!) {
        listMajorTaxViolation(input: $input, decision: $decision, idempotencyKey: $key) { entry { entryId } } }`,
      { input: { uscc, nature: '偷税', amount: 1_000_000, publishedOn: '2023-03-03' }, decision: decision('2023-03-03'), key: randomUUID() },
    );
    expect(listed.errors).toBeUndefined();
    const entryId = listed.data!['listMajorTaxViolation'].entry.entryId as string;
    const CASES = `query($u: USCC!) { enterprise(uscc: $u) { tax { majorViolations { entryId removedOn publicity } } market { jointMeasures { measure sourceKind liftedOn } } } }`;
    const seen = async () => (await ask(taxOfficer, CASES, { u: uscc })).data!['enterprise'];
    await waitUntil(async () => ((await seen()).tax.majorViolations as Untyped[]).some((c) => c['entryId'] === entryId && c['removedOn'] === '2026-03-04'), 20_000);
    expect((await seen()).tax.majorViolations).toEqual([{ entryId, removedOn: '2026-03-04', publicity: 'ENDED' }]);
    // The listing restricted its legal representative at market regulation; the scheduled removal lifts it.
    await waitUntil(async () => ((await seen()).market?.jointMeasures ?? []).some((m: Untyped) => m['sourceKind'] === 'major_tax_violation_listed' && m['liftedOn'] !== null), 20_000);
  });

  it('reviews as of a day: an entry counts on the days it was in force, and the finding says its period', async () => {
    const uscc = beijing[3]!;
    const listed = await ask(officer, LIST_SERIOUS, { input: { uscc, reason: '组织策划传销' }, decision: decision('2023-03-03'), key: randomUUID() });
    expect(listed.errors).toBeUndefined();
    // The scheduler ends it today (its third anniversary).
    const standing = async () => (await ask(officer, LISTS, { u: uscc })).data!['enterprise'].market.seriousViolations as Untyped[];
    await waitUntil(async () => (await standing()).every((e) => e['removedOn'] === '2026-03-04'), 20_000);

    const REVIEW = `query($u: USCC!, $asOf: Date) { jointReview(uscc: $u, matter: GOVERNMENT_PROCUREMENT, asOf: $asOf) {
      asOf measures { rule measure evidence { kind inForceFrom inForceUntil } } } }`;
    const serious = async (asOf: string | null) => {
      const answer = await ask(CALLERS.procurement, REVIEW, { u: uscc, asOf });
      expect(answer.errors).toBeUndefined();
      const review = answer.data!['jointReview'];
      return { asOf: review.asOf as string, measure: (review.measures as Untyped[]).find((m) => m['rule'] === 'serious_violation') ?? null };
    };
    // In force from 3 March 2023 to 3 March 2026, its three years, the day before its removal.
    expect(await serious('2025-06-01')).toEqual({
      asOf: '2025-06-01',
      measure: { rule: 'serious_violation', measure: 'PROHIBIT', evidence: [{ kind: 'SERIOUS_VIOLATION_LIST', inForceFrom: '2023-03-03', inForceUntil: '2026-03-03' }] },
    });
    expect((await serious('2026-03-03')).measure).not.toBeNull();
    expect(await serious('2023-03-02')).toEqual({ asOf: '2023-03-02', measure: null });
    expect(await serious(null)).toEqual({ asOf: '2026-03-04', measure: null });

    // Over gRPC the same, and a day after today is refused with the reason.
    const client = reviewClient(federation.grpcAddress);
    try {
      const metadata = await metadataFor(federation, CALLERS.procurement);
      const verdict = verdictOf(await review(client, { uscc, matter: 'MATTER_GOVERNMENT_PROCUREMENT', asOf: '2025-06-01' }, metadata));
      expect(verdict.asOf).toBe('2025-06-01');
      expect(verdict.measures.find((m) => m.rule === 'serious_violation')?.evidence[0]).toMatchObject({ inForceFrom: '2023-03-03', inForceUntil: '2026-03-03' });
      const future = await review(client, { uscc, matter: 'MATTER_GOVERNMENT_PROCUREMENT', asOf: '2026-03-05' }, metadata);
      expect(future.status).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: 'as_of: 2026-03-05 is after today (2026-03-04): a review weighs the record as it stands' });
    } finally {
      client.close();
    }
    const graphqlFuture = await ask(CALLERS.procurement, REVIEW, { u: uscc, asOf: '2026-03-05' });
    expect(graphqlFuture.errors?.[0]).toMatchObject({ message: 'asOf: 2026-03-05 is after today (2026-03-04): a review weighs the record as it stands', extensions: { code: 'BAD_USER_INPUT' } });
  });

  it('shows the dry run to supervisors and auditors, and to nobody else', async () => {
    expect((await ask(CALLERS.auditor, DUE)).errors).toBeUndefined();
    const refused = await ask(CALLERS.procurement, DUE);
    expect(refused.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN_FIELD', coordinate: 'Query.listMovesDue' });
  });
});
