/**
 * Publication of licensing and penalty decisions (双公示) across real processes, on an injected
 * clock: every process of this file's federation runs from 10:00 on Wednesday 4 March 2026
 * (MEG_CLOCK), with its own PostgreSQL databases and NATS server. A penalty decided on Friday 13
 * February is due for publication by Monday 2 March (the Spring Festival and its worked Saturdays
 * in between); the agency's scheduler finds it overdue, the public does not see it until it is
 * published, and the auditors' report counts it late by the working days it took.
 */
import { execFile } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { projectRoot } from '../../platform/config/projectRoot.js';
import { startNatsServer, type NatsServer } from '../../platform/events/natsServer.js';
import { CALLERS, headersFor, type Caller } from '../support/callers.js';
import { startFederation, waitUntil, type Federation } from '../support/federation.js';
import type { Untyped } from '../support/untyped.js';

const shared = inject('federation');
const store = mkdtempSync(path.join(os.tmpdir(), 'meg-publication-nats-'));
/** An authority of this file's own, so that the seeded decisions do not enter its reports. */
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
    databases: 'publication',
    extraEnv: { MEG_NATS_URL: nats.url, MEG_CLOCK: '2026-03-04T10:00:00+08:00', MEG_SCHEDULER_INTERVAL_SECONDS: '1' },
  });
  market = new pg.Client({ connectionString: federation.env['DATABASE_URL_MARKET'] });
  await market.connect();
  const rows = (await market.query<{ uscc: string }>('SELECT uscc FROM market_registrations ORDER BY uscc')).rows;
  beijing = rows.map((r) => r.uscc).filter((uscc) => uscc.slice(2, 4) === '11');
  expect(beijing.length).toBeGreaterThan(3);
}, 180_000);

afterAll(async () => {
  await market?.end();
  await federation?.stop();
  await nats?.stop();
  rmSync(store, { recursive: true, force: true });
});

interface Answer {
  readonly data?: Untyped;
  readonly errors?: { message: string; extensions: Untyped }[];
}

async function ask(caller: Caller, query: string, variables: Record<string, unknown> = {}): Promise<Answer> {
  const res = await fetch(federation.gatewayUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(await headersFor(federation, caller)) },
    body: JSON.stringify({ query, variables }),
  });
  return (await res.json()) as Answer;
}

const RECORD_PENALTY = `mutation($input: RecordPenaltyInput!, $decision: DecisionInput!, $key: String!) {
  recordPenalty(input: $input, decision: $decision, idempotencyKey: $key) { receipt { entryId version } penalty { entryId version publishedOn } } }`;
const PUBLISH_PENALTY = `mutation($input: PublicationInput!, $key: String!) {
  publishPenalty(input: $input, idempotencyKey: $key) { receipt { entryId version eventId replayed } penalty { entryId version decidedOn publishedOn category cause result } } }`;
const PENALTIES = `query($u: USCC!) { enterprise(uscc: $u) { market { penalties { entryId decisionNo publishedOn } } } }`;
const REPORT = `query($from: Date!, $to: Date!, $authority: String, $asOf: Date) {
  publicationCompliance(from: $from, to: $to, authority: $authority, asOf: $asOf) {
    asOf workingDays
    market { agency decisions onTime late overdue pending deadlineUnknown authorities { authority decisions late overdue }
             cases(first: 10) { kind decisionNo uscc authority decidedOn deadline publishedOn status workingDaysLate } }
    tax { agency decisions } customs { agency decisions } } }`;

async function recordPenalty(
  uscc: string,
  decidedOn: string,
  facts: { category?: string; amount?: number; publishedOn?: string } = {},
): Promise<{ entryId: string; version: number; documentNo: string }> {
  const documentNo = `京测罚〔2026〕${randomUUID().slice(0, 8)}号`;
  const amount = facts.amount ?? 50_000;
  const answer = await ask(officer, RECORD_PENALTY, {
    input: {
      uscc,
      category: facts.category ?? 'FINE',
      cause: '虚假宣传',
      basis: '《中华人民共和国反不正当竞争法》第八条',
      result: `罚款人民币${amount}元`,
      amount,
      ...(facts.publishedOn ? { publishedOn: facts.publishedOn } : {}),
    },
    decision: { authority: AUTHORITY, documentNo, legalBasis: '《中华人民共和国反不正当竞争法》第二十条', decidedOn },
    key: randomUUID(),
  });
  expect(answer.errors).toBeUndefined();
  return { ...answer.data!['recordPenalty'].receipt, documentNo };
}

describe('a penalty decision and its publication (双公示)', () => {
  it('is withheld from the public until published, found overdue once its deadline passes, and reported late by the working days it took', async () => {
    const uscc = beijing[0]!;
    const penalty = await recordPenalty(uscc, '2026-02-13');

    // Unpublished, it is a fact between government bodies: the public does not see it, an approval system does.
    const seenBy = async (caller: Caller) => ((await ask(caller, PENALTIES, { u: uscc })).data!['enterprise'].market.penalties as Untyped[]).map((p) => p['entryId']);
    expect(await seenBy(CALLERS.public)).not.toContain(penalty.entryId);
    expect(await seenBy(CALLERS.procurement)).toContain(penalty.entryId);

    // Its deadline was Monday 2 March: on 4 March the scheduler finds it overdue and says so, once.
    const overdue = async () =>
      (await market.query<{ event: string }>("SELECT event FROM credit_outbox WHERE subject = 'meg.credit.market.publication_overdue' AND event::jsonb->'data'->>'entryId' = $1", [penalty.entryId]))
        .rows;
    await waitUntil(async () => (await overdue()).length > 0, 20_000);
    const [event] = (await overdue()).map((r) => JSON.parse(r.event));
    expect(event).toMatchObject({
      agency: 'market',
      kind: 'publication_overdue',
      uscc,
      data: { deadline: '2026-03-02', workingDaysLate: 2, decision: { documentNo: penalty.documentNo, authority: AUTHORITY, decidedOn: '2026-02-13' } },
    });
    await new Promise((r) => setTimeout(r, 2_500));
    expect(await overdue()).toHaveLength(1);

    // A government caller following the enterprise's events sees the overdue notice; the public could not.
    const events = await ask(CALLERS.creditSupervisor, `query($u: USCC!) { creditEvents(uscc: $u, first: 50) { edges { node { kind entryType entryId } } } }`, { u: uscc });
    expect(events.errors).toBeUndefined();
    expect(events.data!['creditEvents'].edges.map((e: Untyped) => e['node'])).toContainEqual({ kind: 'publication_overdue', entryType: 'AdministrativePenalty', entryId: penalty.entryId });

    // Published today, 2 working days late (3 and 4 March): now the public sees it.
    const published = await ask(officer, PUBLISH_PENALTY, { input: { uscc, entry: { entryId: penalty.entryId, version: 1 }, publishedOn: '2026-03-04' }, key: randomUUID() });
    expect(published.errors).toBeUndefined();
    expect(published.data!['publishPenalty'].penalty).toEqual({
      entryId: penalty.entryId,
      version: 2,
      decidedOn: '2026-02-13',
      publishedOn: '2026-03-04',
      category: 'FINE',
      cause: '虚假宣传',
      result: '罚款人民币50000元',
    });
    expect(await seenBy(CALLERS.public)).toContain(penalty.entryId);

    const report = await ask(CALLERS.auditor, REPORT, { from: '2026-02-01', to: '2026-02-28', authority: AUTHORITY });
    expect(report.errors).toBeUndefined();
    const compliance = report.data!['publicationCompliance'];
    expect(compliance).toMatchObject({ asOf: '2026-03-04', workingDays: 7, tax: { agency: 'tax', decisions: 0 }, customs: { agency: 'customs', decisions: 0 } });
    expect(compliance.market).toMatchObject({
      agency: 'market',
      decisions: 1,
      onTime: 0,
      late: 1,
      overdue: 0,
      pending: 0,
      deadlineUnknown: 0,
      authorities: [{ authority: AUTHORITY, decisions: 1, late: 1, overdue: 0 }],
    });
    expect(compliance.market.cases).toEqual([
      {
        kind: 'ADMINISTRATIVE_PENALTY',
        decisionNo: penalty.documentNo,
        uscc,
        authority: AUTHORITY,
        decidedOn: '2026-02-13',
        deadline: '2026-03-02',
        publishedOn: '2026-03-04',
        status: 'LATE',
        workingDaysLate: 2,
      },
    ]);

    // As of the 3rd it was overdue, not yet published.
    const before = await ask(CALLERS.auditor, REPORT, { from: '2026-02-01', to: '2026-02-28', authority: AUTHORITY, asOf: '2026-03-03' });
    expect(before.data!['publicationCompliance'].market).toMatchObject({ decisions: 1, late: 0, overdue: 1, cases: [{ status: 'OVERDUE', publishedOn: null, workingDaysLate: 1 }] });
  });

  it('counts a decision still within its deadline as pending, and refuses a publication before the decision, in the future or a second time', async () => {
    const uscc = beijing[1]!;
    const penalty = await recordPenalty(uscc, '2026-03-02');
    const report = await ask(CALLERS.auditor, REPORT, { from: '2026-03-01', to: '2026-03-31', authority: AUTHORITY });
    expect(report.data!['publicationCompliance'].market).toMatchObject({ decisions: 1, pending: 1, overdue: 0, cases: [] });

    const publish = (publishedOn: string) => ask(officer, PUBLISH_PENALTY, { input: { uscc, entry: { entryId: penalty.entryId, version: 1 }, publishedOn }, key: randomUUID() });
    const early = await publish('2026-03-01');
    expect(early.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT' });
    expect(early.errors?.[0]?.message).toContain('2026-03-01 is before the penalty began (2026-03-02)');
    const future = await publish('2026-03-05');
    expect(future.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: 'input.publishedOn', message: '2026-03-05 is in the future (today is 2026-03-04)' }] });
    expect((await publish('2026-03-03')).errors).toBeUndefined();
    const again = await ask(officer, PUBLISH_PENALTY, { input: { uscc, entry: { entryId: penalty.entryId, version: 2 }, publishedOn: '2026-03-04' }, key: randomUUID() });
    expect(again.errors?.[0]?.message).toContain('was already published on 2026-03-03: it cannot be published again');

    // A correction does not publish (nor re-date a publication), and the scheduler's document numbers are its own.
    const correction = await ask(officer, RECORD_PENALTY, {
      input: { uscc, category: 'FINE', cause: '虚假宣传', basis: '依据', result: '罚款', amount: 1, publishedOn: '2026-03-04', supersedes: { entryId: penalty.entryId, version: 2 } },
      decision: { authority: AUTHORITY, documentNo: `更正〔2026〕${randomUUID().slice(0, 8)}号`, legalBasis: '依据', decidedOn: '2020-01-01' },
      key: randomUUID(),
    });
    expect(correction.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: 'input.publishedOn' }] });
    const reserved = await ask(officer, RECORD_PENALTY, {
      input: { uscc, category: 'FINE', cause: '虚假宣传', basis: '依据', result: '罚款', amount: 1 },
      decision: { authority: AUTHORITY, documentNo: 'MEG-SCHEDULE/SERIOUS_TERM_ENDED/x', legalBasis: '依据', decidedOn: '2026-03-01' },
      key: randomUUID(),
    });
    expect(reserved.errors?.[0]?.extensions).toMatchObject({ code: 'BAD_USER_INPUT', problems: [{ path: 'decision.documentNo' }] });
  });

  it('is published by the owning agency only, and reported to auditors only', async () => {
    const uscc = beijing[2]!;
    const penalty = await recordPenalty(uscc, '2026-03-02');
    const byTax = await ask(CALLERS.taxOfficer, PUBLISH_PENALTY, { input: { uscc, entry: { entryId: penalty.entryId, version: 1 }, publishedOn: '2026-03-03' }, key: randomUUID() });
    expect(byTax.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN', coordinate: 'Mutation.publishPenalty' });
    const asOfficer = await ask(CALLERS.creditSupervisor, REPORT, { from: '2026-03-01', to: '2026-03-31' });
    expect(asOfficer.data?.['publicationCompliance'] ?? null).toBeNull();
    expect(asOfficer.errors?.[0]?.extensions).toMatchObject({ code: 'FORBIDDEN_FIELD', coordinate: 'Query.publicationCompliance' });
    const tooLong = await ask(CALLERS.auditor, REPORT, { from: '2020-01-01', to: '2026-03-31' });
    expect(tooLong.errors?.[0]?.message).toContain('a report covers at most three years of decisions');
  });

  it('is reported by the command line, as an auditor asks the gateway', async () => {
    const token = (await headersFor(federation, CALLERS.auditor))['authorization']!.replace('Bearer ', '');
    const { stdout } = await run(['report', '--from', '2026-02-01', '--to', '2026-02-28', '--authority', AUTHORITY, '--gateway', federation.gatewayUrl, '--token', token]);
    expect(stdout).toContain(`2026-02-01 to 2026-02-28, ${AUTHORITY}, as of 2026-03-04`);
    expect(stdout).toMatch(/^market\s+1\s+0\s+1\s+0\s+0\s+0$/m);
    expect(stdout).toMatch(/LATE\s+ADMINISTRATIVE_PENALTY\s+京测罚〔2026〕\w+号\s+\w{18}\s+decided 2026-02-13, due 2026-03-02, published 2026-03-04: 2 working days late/);
    await expect(run(['report', '--from', '2026-3-1', '--gateway', federation.gatewayUrl, '--token', token])).rejects.toThrow('--from is a date written YYYY-MM-DD');
  });
});

describe('publicity periods', () => {
  const ENTRY = `query($u: USCC!) { enterprise(uscc: $u) { market { penalties { entryId severity publicUntil publicity } } } }`;
  const shownTo = async (caller: Caller, uscc: string, entryId: string) =>
    ((await ask(caller, ENTRY, { u: uscc })).data!['enterprise'].market.penalties as Untyped[]).find((p) => p['entryId'] === entryId) ?? null;

  it('ends a minor penalty’s publicity three months after its publication: only callers entitled to history still see it, marked', async () => {
    const uscc = beijing[3]!;
    // A warning published on 5 November 2025: public until 5 February 2026.
    const warning = await recordPenalty(uscc, '2025-11-03', { category: 'WARNING', amount: 0, publishedOn: '2025-11-05' });
    expect(await shownTo(CALLERS.public, uscc, warning.entryId)).toBeNull();
    expect(await shownTo(CALLERS.procurement, uscc, warning.entryId)).toBeNull();
    expect(await shownTo(CALLERS.creditSupervisor, uscc, warning.entryId)).toEqual({ entryId: warning.entryId, severity: 'MINOR', publicUntil: '2026-02-05', publicity: 'ENDED' });
    expect(await shownTo(officer, uscc, warning.entryId)).toMatchObject({ publicity: 'ENDED' });
    // Its credit event likewise: an approval system following the enterprise is not told of it, a supervisor is.
    const EVENTS = `query($u: USCC!) { creditEvents(uscc: $u, first: 100) { edges { node { entryId } } } }`;
    const eventsOf = async (caller: Caller) => ((await ask(caller, EVENTS, { u: uscc })).data!['creditEvents'].edges as Untyped[]).map((e) => e['node']['entryId']);
    await waitUntil(async () => (await eventsOf(CALLERS.creditSupervisor)).includes(warning.entryId), 20_000);
    expect(await eventsOf(CALLERS.procurement)).not.toContain(warning.entryId);
  });

  it('keeps any other penalty public three years from its publication, to its last day', async () => {
    const uscc = beijing[3]!;
    const fine = await recordPenalty(uscc, '2023-03-01', { category: 'FINE', amount: 50_000, publishedOn: '2023-03-05' });
    expect(await shownTo(CALLERS.public, uscc, fine.entryId)).toEqual({ entryId: fine.entryId, severity: 'GENERAL', publicUntil: '2026-03-05', publicity: 'PUBLIC' });
    const unpublished = await recordPenalty(uscc, '2026-03-03');
    expect(await shownTo(CALLERS.procurement, uscc, unpublished.entryId)).toEqual({ entryId: unpublished.entryId, severity: 'GENERAL', publicUntil: '2029-03-03', publicity: 'NOT_PUBLISHED' });
  });
});

function run(args: string[]): Promise<{ stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [path.join(projectRoot, 'dist/scripts/publication.js'), ...args], { env: { ...process.env, ...federation.env } }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${error.message}\n${stderr}`));
      else resolve({ stdout, stderr });
    });
  });
}
