/**
 * Publication of decisions (双公示) against the 7-working-day deadline: where one decision stands,
 * an agency's report of a period, and the scheduler's step that finds decisions overdue, once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../platform/config/projectRoot.js';
import { migrate, openDatabase, type Database } from '../../platform/db/database.js';
import { ManualClock } from '../../platform/time/clock.js';
import { WorkingDayCalendar } from '../../platform/time/workingDays.js';
import { PublicationRegister, publicationTiming, type PublishedDecisions } from './publication.js';

const calendar = WorkingDayCalendar.official();

/** Market regulation's decisions, as its subgraph declares them (subgraphs/market/data/MarketEntries.ts). */
const PUBLISHED_DECISIONS: readonly PublishedDecisions[] = [
  { kind: 'ADMINISTRATIVE_LICENCE', table: 'market_licences', decisionNo: 'coalesce(decision_no, licence_no)', decidedOn: 'granted_on', entryType: 'AdministrativeLicence' },
  { kind: 'ADMINISTRATIVE_PENALTY', table: 'market_penalties', decisionNo: 'decision_no', decidedOn: 'decided_on', entryType: 'AdministrativePenalty' },
];

describe('publicationTiming', () => {
  it('is on time up to the 7th working day, counted past the Spring Festival and its worked Saturdays', () => {
    // Decided Friday 13 February 2026: due Monday 2 March.
    expect(publicationTiming('2026-02-13', '2026-03-02', '2026-12-01', calendar)).toEqual({ deadline: '2026-03-02', status: 'ON_TIME', workingDaysLate: 0, problem: null });
    expect(publicationTiming('2026-02-13', '2026-02-13', '2026-12-01', calendar).status).toBe('ON_TIME');
  });

  it('is late by the working days after the deadline, weekends not counted', () => {
    // Tuesday 3 March is the 1st working day late; Monday 9 March the 5th.
    expect(publicationTiming('2026-02-13', '2026-03-03', '2026-12-01', calendar)).toMatchObject({ status: 'LATE', workingDaysLate: 1 });
    expect(publicationTiming('2026-02-13', '2026-03-09', '2026-12-01', calendar)).toMatchObject({ status: 'LATE', workingDaysLate: 5 });
  });

  it('is pending until the deadline passes, then overdue by the working days since', () => {
    expect(publicationTiming('2026-02-13', null, '2026-03-02', calendar)).toMatchObject({ status: 'PENDING', deadline: '2026-03-02', workingDaysLate: 0 });
    expect(publicationTiming('2026-02-13', null, '2026-03-04', calendar)).toMatchObject({ status: 'OVERDUE', workingDaysLate: 2 });
  });

  it('counts a publication after the day asked about as not yet made', () => {
    expect(publicationTiming('2026-02-13', '2026-03-09', '2026-03-04', calendar)).toMatchObject({ status: 'OVERDUE', workingDaysLate: 2 });
    expect(publicationTiming('2026-02-13', '2026-03-09', '2026-02-20', calendar)).toMatchObject({ status: 'PENDING' });
  });

  it('says the deadline is unknown when it runs into a year the calendar does not know, and why', () => {
    const timing = publicationTiming('2026-12-28', null, '2027-01-15', calendar);
    expect(timing).toMatchObject({ deadline: null, status: 'DEADLINE_UNKNOWN', workingDaysLate: null });
    expect(timing.problem).toContain('does not know 2027');
  });
});

describe('an agency register', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meg-publication-'));
  let db: Database;
  const register = new PublicationRegister('market', PUBLISHED_DECISIONS, calendar);
  const A = '北京市朝阳区市场监督管理局';
  const B = '北京市海淀区市场监督管理局';

  beforeAll(async () => {
    db = await openDatabase({ dataDir: path.join(dir, 'market') });
    await migrate(db, path.join(projectRoot, 'subgraphs/market/migrations'));
    await migrate(db, path.join(projectRoot, 'subgraphs/runtime/migrations'));
    // Authority A, as of 13 March: on time, late by 5, overdue since 2 March, overdue since 11 March; B: a licence late by 1.
    await penalty('A-1', A, '2026-02-13', '2026-02-27');
    await penalty('A-2', A, '2026-02-13', '2026-03-09');
    await penalty('A-3', A, '2026-02-13', null);
    await penalty('A-4', A, '2026-03-02', null);
    await licence('B-1', B, '2026-02-13', '2026-03-03');
    // Outside the period, and before the rule.
    await penalty('A-0', A, '2025-12-01', null);
    await penalty('A-old', A, '2015-06-01', null);
  });

  afterAll(async () => {
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('reports each kind of decision of the period by where its publication stands, per authority, the worst cases first', async () => {
    const report = await register.report(db, { from: '2026-01-01', to: '2026-03-31', authority: null, asOf: '2026-03-13' });
    expect(report).toMatchObject({ agency: 'market', decisions: 5, onTime: 1, late: 2, overdue: 2, pending: 0, deadlineUnknown: 0 });
    expect(report.authorities).toEqual([
      { authority: A, decisions: 4, onTime: 1, late: 1, overdue: 2, pending: 0, deadlineUnknown: 0 },
      { authority: B, decisions: 1, onTime: 0, late: 1, overdue: 0, pending: 0, deadlineUnknown: 0 },
    ]);
    expect(report.cases.map((c) => [c.decisionNo, c.kind, c.status, c.workingDaysLate])).toEqual([
      ['A-3', 'ADMINISTRATIVE_PENALTY', 'OVERDUE', 9],
      ['A-4', 'ADMINISTRATIVE_PENALTY', 'OVERDUE', 2],
      ['A-2', 'ADMINISTRATIVE_PENALTY', 'LATE', 5],
      ['B-1', 'ADMINISTRATIVE_LICENCE', 'LATE', 1],
    ]);
  });

  it('reports as of an earlier day, one authority, and nothing before the rule', async () => {
    const earlier = await register.report(db, { from: '2026-01-01', to: '2026-03-31', authority: A, asOf: '2026-03-04' });
    expect(earlier).toMatchObject({ decisions: 4, onTime: 1, late: 0, overdue: 2, pending: 1 });
    expect(earlier.authorities.map((a) => a.authority)).toEqual([A]);
    const before = await register.report(db, { from: '2015-01-01', to: '2015-12-31', authority: null, asOf: '2026-03-04' });
    expect(before.decisions).toBe(0);
  });

  it('refuses a period that ends before it begins or runs past three years', async () => {
    await expect(register.report(db, { from: '2026-03-01', to: '2026-02-01', authority: null, asOf: '2026-03-04' })).rejects.toThrow('the period ends (2026-02-01) before it begins (2026-03-01)');
    await expect(register.report(db, { from: '2020-01-01', to: '2026-02-01', authority: null, asOf: '2026-03-04' })).rejects.toThrow('at most three years');
  });

  it('finds each decision passing its deadline unpublished once, with its event, however often and from however many replicas it runs', async () => {
    const clock = new ManualClock('2026-03-04T09:00:00+08:00');
    const handed: string[] = [];
    const replica = new PublicationRegister('market', PUBLISHED_DECISIONS, calendar);
    const found = await Promise.all([register.findOverdue(db, clock, (row) => handed.push(row.event_id)), replica.findOverdue(db, clock, (row) => handed.push(row.event_id))]);
    // are overdue on 4 March; A-4 is not due until 12 March; A-old had no deadline.
    expect(found[0] + found[1]).toBe(2);
    expect(handed).toHaveLength(2);
    expect(await register.findOverdue(db, clock)).toBe(0);

    const events = await db.query<{ event: string }>('credit_outbox', "SELECT event FROM credit_outbox WHERE subject = 'meg.credit.market.publication_overdue' ORDER BY seq");
    const told = events.map((e) => JSON.parse(e.event) as { kind: string; data: Record<string, unknown> });
    expect(told.map((e) => [e.data['decision'], e.data['deadline']])).toEqual([
      [expect.objectContaining({ documentNo: 'A-0', authority: A, decidedOn: '2025-12-01' }), '2025-12-10'],
      [expect.objectContaining({ documentNo: 'A-3', authority: A, decidedOn: '2026-02-13' }), '2026-03-02'],
    ]);
    expect(told[0]).toMatchObject({ kind: 'publication_overdue', data: { entryType: 'AdministrativePenalty', decisionKind: 'ADMINISTRATIVE_PENALTY' } });

    // A week on, A-4 has passed its deadline too; the others are not found again.
    clock.set('2026-03-13T09:00:00+08:00');
    expect(await register.findOverdue(db, clock)).toBe(1);
    expect(await register.findOverdue(db, clock)).toBe(0);
  });

  async function penalty(decisionNo: string, authority: string, decidedOn: string, publishedOn: string | null): Promise<void> {
    await db.query(
      'market_penalties',
      `INSERT INTO market_penalties (entry_id, version, decision_no, uscc, decided_on, published_on, authority, basis, amount) VALUES ($1, 1, $2, '91110105MA01ABCD1X', $3, $4, $5, '依据', 100)`,
      [randomUUID(), decisionNo, decidedOn, publishedOn, authority],
    );
  }

  async function licence(decisionNo: string, authority: string, grantedOn: string, publishedOn: string | null): Promise<void> {
    await db.query(
      'market_licences',
      `INSERT INTO market_licences (entry_id, version, licence_no, decision_no, uscc, title, authority, granted_on, published_on) VALUES ($1, 1, $2, $2, '91110105MA01ABCD1X', '食品经营许可证', $3, $4, $5)`,
      [randomUUID(), decisionNo, authority, grantedOn, publishedOn],
    );
  }
});
