/**
 * The access log on an embedded database: a record committed alone and records committed together
 * (group commit) are stored the same way, found by the same searches, and verify as one chain.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { AuditLog, type AuditEntry } from './auditLog.js';

const dir = mkdtempSync(path.join(os.tmpdir(), 'meg-audit-log-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const entry = (i: number, uscc: string): AuditEntry => ({
  at: new Date(Date.UTC(2026, 10, 27, 9, 0, i)).toISOString(),
  requestId: `req-${i}`,
  channel: 'graphql',
  principal: { sub: `officer-${i}`, agency: 'TAX', roles: ['officer'], region: null },
  purpose: 'TAX_ADMINISTRATION',
  operationName: 'Profile',
  operationHash: null,
  enterprises: [uscc],
  decisions: [
    { coordinate: 'TaxProfile.arrears', effect: 'ALLOW', rule: 'own_agency' },
    { coordinate: 'MarketProfile.legalRepresentative', effect: i % 2 ? 'MASK' : 'DENY', rule: 'personal_data' },
  ],
  policyRevision: 'test',
  outcome: 'ok',
});

describe('the access log', () => {
  it('stores records committed alone and together alike, and they verify as one chain', async () => {
    const log = await AuditLog.open({ dataDir: path.join(dir, 'db') }, 'chain-test');
    try {
      const alone = await log.append(entry(0, '91110000000000000A'));
      // Appended in one turn: committed together.
      const together = await Promise.all(Array.from({ length: 20 }, (_, i) => log.append(entry(i + 1, `9111000000000000${String(i).padStart(2, '0')}`))));
      expect([alone, ...together].map((r) => r.seq)).toEqual(Array.from({ length: 21 }, (_, i) => i + 1));

      expect(await log.verify()).toEqual({ intact: true, chains: 1, records: 21, anchored: 0 });
      const masked = await log.search({ coordinate: 'MarketProfile.legalRepresentative', effect: 'MASK' }, 100);
      expect(masked.records.map((r) => r.requestId).sort()).toEqual(together.filter((_, i) => (i + 1) % 2).map((r) => r.requestId).sort());
      const first = await log.search({ uscc: '91110000000000000A' }, 10);
      expect(first.records.map((r) => r.requestId)).toEqual(['req-0']);
      expect(first.records[0]!.decisions).toEqual(alone.decisions);
    } finally {
      await log.close();
    }
  });
});
