/**
 * The scheduler's list moves over market regulation's database: what is due on a day, each move
 * made once with its provenance and its event, whether the step runs twice or on two replicas at
 * once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../platform/config/projectRoot.js';
import { migrate, openDatabase, type Database } from '../../platform/db/database.js';
import { loadListMoveRules } from '../../platform/domain/publicity.js';
import { ManualClock } from '../../platform/time/clock.js';
import { CreditWrites } from '../runtime/writes.js';
import { listMovesDue } from './data/ListMoves.js';
import { listMoveStep, makeMove } from './scheduledMoves.js';

const rules = loadListMoveRules();
const dir = mkdtempSync(path.join(os.tmpdir(), 'meg-moves-'));
const AUTHORITY = '北京市朝阳区市场监督管理局';
let db: Database;

beforeAll(async () => {
  db = await openDatabase({ dataDir: path.join(dir, 'market') });
  await migrate(db, path.join(projectRoot, 'subgraphs/market/migrations'));
  await migrate(db, path.join(projectRoot, 'subgraphs/runtime/migrations'));
});

afterAll(async () => {
  await db.close();
  rmSync(dir, { recursive: true, force: true });
});

describe('list moves', () => {
  it('are due the day after the listing’s third anniversary, and the dry run says so without making them', async () => {
    const abnormal = await listAbnormal('91110105MA01AAAA1X', '2023-03-04');
    const serious = await listSerious('91110105MA01BBBB1X', '2023-03-05');
    await listAbnormal('91110105MA01CCCC1X', '2023-03-05', '2024-01-01');

    expect(await listMovesDue(db, rules, '2026-03-04')).toEqual([]);
    const due = await listMovesDue(db, rules, '2026-03-06');
    expect(due.map((m) => [m.step, m.entryId, m.due])).toEqual([
      ['ABNORMAL_TO_SERIOUS', abnormal, '2026-03-05'],
      ['SERIOUS_TERM_ENDED', serious, '2026-03-06'],
    ]);
    expect(due[0]).toMatchObject({ uscc: '91110105MA01AAAA1X', authority: AUTHORITY, listedOn: '2023-03-04', reason: '被列入经营异常名录届满3年仍未履行相关义务' });
    expect(due[1]!.basis).toContain('国家市场监督管理总局令第44号');
    // Looking does not move anything.
    expect(await listMovesDue(db, rules, '2026-03-06')).toHaveLength(2);
  });

  it('are made once each, with the scheduler’s provenance and a credit event, however often and on however many replicas the step runs', async () => {
    const clock = new ManualClock('2026-03-06T09:00:00+08:00');
    const handed: string[] = [];
    const replicaA = listMoveStep(db, new CreditWrites('market', db, { now: () => clock.now(), committed: (row) => handed.push(row.subject) }), clock, rules);
    const replicaB = listMoveStep(db, new CreditWrites('market', db, { now: () => clock.now(), committed: (row) => handed.push(row.subject) }), clock, rules);
    await Promise.all([replicaA.run(), replicaB.run(), replicaA.run()]);

    expect(handed.sort()).toEqual(['meg.credit.market.serious_violation_listed', 'meg.credit.market.serious_violation_removed']);
    expect(await replicaA.run()).toBe(0);
    expect(await listMovesDue(db, rules, '2026-03-06')).toEqual([]);

    const moved = await db.query<{ reason: string; listed_on: string; removed_on: string | null; recorded_by: string; legal_basis: string }>(
      'market_serious_violations',
      `SELECT s.reason, s.listed_on::text AS listed_on, s.removed_on::text AS removed_on, w.recorded_by, w.legal_basis
         FROM market_serious_violations s JOIN credit_writes w ON w.write_id = s.write_id
        WHERE s.superseded_at IS NULL ORDER BY s.uscc`,
    );
    expect(moved).toEqual([
      { reason: '被列入经营异常名录届满3年仍未履行相关义务', listed_on: '2026-03-05', removed_on: null, recorded_by: 'scheduler', legal_basis: expect.stringContaining('经营异常名录届满3年') },
      { reason: '组织策划传销', listed_on: '2023-03-05', removed_on: '2026-03-06', recorded_by: 'scheduler', legal_basis: expect.stringContaining('满三年') },
    ]);
    const events = await db.query<{ event: string }>('credit_outbox', "SELECT event FROM credit_outbox WHERE subject LIKE 'meg.credit.market.serious_violation_%' ORDER BY seq");
    expect(events.map((e) => (JSON.parse(e.event) as { data: { mutation: string; scheduled: unknown } }).data)).toEqual([
      expect.objectContaining({ mutation: 'listSeriousViolation', scheduled: { step: 'ABNORMAL_TO_SERIOUS', fromEntryId: expect.any(String) } }),
      expect.objectContaining({ mutation: 'removeSeriousViolation', scheduled: { step: 'SERIOUS_TERM_ENDED', fromEntryId: expect.any(String) } }),
    ]);
  });

  it('moves an abnormal-operations entry once: not again when the serious-violation entry it became ends three years on', async () => {
    const clock = new ManualClock('2029-03-06T09:00:00+08:00');
    const step = listMoveStep(db, new CreditWrites('market', db, { now: () => clock.now() }), clock, rules);
    expect(await step.run()).toBe(1); // the moved entry of 2026-03-05 leaves the list on 2029-03-06
    expect(await listMovesDue(db, rules, '2029-03-06')).toEqual([]);
  });

  it('makes no move found due whose abnormal entry was removed meanwhile, and one move for two entries of one enterprise', async () => {
    const clock = new ManualClock('2026-06-01T09:00:00+08:00');
    const writes = new CreditWrites('market', db, { now: () => clock.now() });
    const removedMeanwhile = await listAbnormal('91110105MA01DDDD1X', '2023-04-01');
    const [found] = (await listMovesDue(db, rules, '2026-06-01')).filter((m) => m.entryId === removedMeanwhile);
    await db.query('market_abnormal_operations', `UPDATE market_abnormal_operations SET removed_on = '2026-05-30' WHERE entry_id = $1`, [removedMeanwhile]);
    await expect(makeMove(writes, found!)).rejects.toThrow(`the abnormal-operations entry ${removedMeanwhile} no longer stands`);

    const first = await listAbnormal('91110105MA01EEEE1X', '2023-04-02');
    const second = await listAbnormal('91110105MA01EEEE1X', '2023-05-02');
    const due = (await listMovesDue(db, rules, '2026-06-01')).filter((m) => m.uscc === '91110105MA01EEEE1X');
    expect(due.map((m) => m.entryId)).toEqual([first, second]);
    await makeMove(writes, due[0]!);
    await expect(makeMove(writes, due[1]!)).rejects.toThrow('91110105MA01EEEE1X is already on the serious-violation list');
    // Nor later, once that listing has ended three years on: one move per stay on the abnormal list.
    expect((await listMovesDue(db, rules, '2029-06-03')).filter((m) => m.uscc === '91110105MA01EEEE1X' && m.step === 'ABNORMAL_TO_SERIOUS')).toEqual([]);
  });

  async function listAbnormal(uscc: string, listedOn: string, removedOn: string | null = null): Promise<string> {
    const entryId = randomUUID();
    await db.query(
      'market_abnormal_operations',
      `INSERT INTO market_abnormal_operations (entry_id, version, uscc, reason, listed_on, authority, removed_on) VALUES ($1, 1, $2, 'UNREACHABLE_AT_ADDRESS', $3, $4, $5)`,
      [entryId, uscc, listedOn, AUTHORITY, removedOn],
    );
    return entryId;
  }

  async function listSerious(uscc: string, listedOn: string): Promise<string> {
    const entryId = randomUUID();
    await db.query(
      'market_serious_violations',
      `INSERT INTO market_serious_violations (entry_id, version, decision_no, uscc, reason, listed_on, authority) VALUES ($1, 1, $2, $3, '组织策划传销', $4, $5)`,
      [entryId, `京市监严〔2023〕${entryId.slice(0, 4)}号`, uscc, listedOn, AUTHORITY],
    );
    return entryId;
  }
});
