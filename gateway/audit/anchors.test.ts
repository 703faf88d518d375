/**
 * Chain anchors on their own (written, signed, read back, refused when forged), and the access
 * log's verification against them: a chain cut off its end, rewritten from an anchored record, or
 * removed whole, and an anchor file that cannot be trusted.
 */
import { createHash, generateKeyPairSync, sign } from 'node:crypto';
import type * as FsModule from 'node:fs';
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { configureLogger } from '../../platform/observability/logger.js';
import { AnchorWriter, readAnchors, type ChainAnchor } from './anchors.js';
import { AuditLog, type AuditEntry } from './auditLog.js';
import { createDatabases, testDatabasePrefix } from '../../test/support/federation.js';
import { canonicalJson } from './canonicalJson.js';

/**
 * The file system calls the anchors make, as they make them, when `fsCalls.recording`: what an
 * anchor's durability rests on cannot be seen in the files afterwards (short of a power failure).
 */
const fsCalls = vi.hoisted(() => ({ recording: false, calls: [] as string[] }));
vi.mock('node:fs', async (importOriginal) => {
  const fs = await importOriginal<typeof FsModule>();
  const names = new Map<number, string>();
  const record = (call: string) => fsCalls.recording && fsCalls.calls.push(call);
  return {
    ...fs,
    openSync: (...args: Parameters<typeof fs.openSync>) => {
      const fd = fs.openSync(...args);
      names.set(fd, String(args[0]));
      record(`open ${String(args[0])}`);
      return fd;
    },
    writeSync: (fd: number, ...rest: unknown[]) => {
      record(`write ${names.get(fd)}`);
      return (fs.writeSync as (fd: number, ...rest: unknown[]) => number)(fd, ...rest);
    },
    fsyncSync: (fd: number) => {
      record(`fsync ${names.get(fd)}`);
      fs.fsyncSync(fd);
    },
    closeSync: (fd: number) => {
      record(`close ${names.get(fd)}`);
      fs.closeSync(fd);
    },
    renameSync: (from: string, to: string) => {
      record(`rename ${from} to ${to}`);
      fs.renameSync(from, to);
    },
  };
});

const root = mkdtempSync(path.join(os.tmpdir(), 'meg-anchors-'));
afterAll(() => rmSync(root, { recursive: true, force: true }));
let serial = 0;
const freshDir = () => path.join(root, `anchors-${serial++}`);

const { privateKey, publicKey } = generateKeyPairSync('ed25519');
const other = generateKeyPairSync('ed25519');
const clock = (iso: string) => () => new Date(iso);
const HEAD = { seq: 7, hash: 'a'.repeat(64) };

/** The only anchor file of `dir`. */
function onlyFile(dir: string): string {
  const files = readdirSync(dir);
  expect(files).toHaveLength(1);
  return path.join(dir, files[0]!);
}

describe('anchors', () => {
  afterEach(() => vi.useRealTimers());

  it('writes the head signed, with the time of its clock, and reads it back', () => {
    const dir = freshDir();
    new AnchorWriter(dir, privateKey, 'gw-1', clock('2026-12-01T08:00:00.000Z')).anchor(HEAD);
    expect(readAnchors(dir, publicKey)).toEqual({ anchors: [{ chainId: 'gw-1', seq: 7, hash: HEAD.hash, at: '2026-12-01T08:00:00.000Z' }], untrusted: [] });
    // Only the anchor is left in the folder, not its temporary file, and only its owner may read it.
    expect(statSync(onlyFile(dir)).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('writes nothing for a chain without a record, and does not rewrite a head it has written', () => {
    const dir = freshDir();
    let now = '2026-12-01T08:00:00.000Z';
    const writer = new AnchorWriter(dir, privateKey, 'gw-1', () => new Date(now));
    writer.anchor({ seq: 0, hash: 'g'.repeat(64) });
    expect(readdirSync(dir)).toEqual([]);
    writer.anchor(HEAD);
    now = '2026-12-01T09:00:00.000Z';
    writer.anchor(HEAD);
    expect(readAnchors(dir, publicKey).anchors[0]!.at).toBe('2026-12-01T08:00:00.000Z');
    writer.anchor({ seq: 8, hash: 'b'.repeat(64) });
    expect(readAnchors(dir, publicKey).anchors).toEqual([{ chainId: 'gw-1', seq: 8, hash: 'b'.repeat(64), at: '2026-12-01T09:00:00.000Z' }]);
  });

  it('reads the anchors of several chains in the order of their files, whatever order the folder lists them in', () => {
    const dir = freshDir();
    const chains = ['gw-1', 'gw-2', 'gw-3', 'gw-4', 'gw-5', 'gw-6'];
    for (const chain of chains) new AnchorWriter(dir, privateKey, chain, clock('2026-12-01T08:00:00.000Z')).anchor(HEAD);
    const byFile = chains.map((chain) => [createHash('sha256').update(chain).digest('hex'), chain] as const).sort(([a], [b]) => a.localeCompare(b));
    expect(readAnchors(dir, publicKey).anchors.map((a) => a.chainId)).toEqual(byFile.map(([, chain]) => chain));
  });

  it('anchors on its interval only when the head moved, and the final head on close', () => {
    vi.useFakeTimers();
    const dir = freshDir();
    const writer = new AnchorWriter(dir, privateKey, 'gw-1', clock('2026-12-01T08:00:00.000Z'));
    let head = { seq: 0, hash: 'g'.repeat(64) };
    writer.start(() => head, 1_000);
    vi.advanceTimersByTime(1_000);
    expect(readAnchors(dir, publicKey).anchors).toEqual([]);
    head = HEAD;
    vi.advanceTimersByTime(999);
    expect(readAnchors(dir, publicKey).anchors).toEqual([]);
    vi.advanceTimersByTime(1);
    expect(readAnchors(dir, publicKey).anchors.map((a) => a.seq)).toEqual([7]);
    head = { seq: 9, hash: 'c'.repeat(64) };
    writer.close(head);
    expect(readAnchors(dir, publicKey).anchors.map((a) => a.seq)).toEqual([9]);
    // Closed: the timer writes no more.
    head = { seq: 10, hash: 'd'.repeat(64) };
    vi.advanceTimersByTime(5_000);
    expect(readAnchors(dir, publicKey).anchors.map((a) => a.seq)).toEqual([9]);
  });

  it('makes an anchor durable before it replaces the last: written and synced, renamed over it, the folder synced', () => {
    const dir = freshDir();
    const writer = new AnchorWriter(dir, privateKey, 'gw-1', clock('2026-12-01T08:00:00.000Z'));
    writer.anchor(HEAD);
    const file = onlyFile(dir);
    fsCalls.calls = [];
    fsCalls.recording = true;
    try {
      writer.anchor({ seq: 8, hash: 'b'.repeat(64) });
    } finally {
      fsCalls.recording = false;
    }
    const named = fsCalls.calls.map((call) =>
      call
        .replaceAll(file, 'anchor')
        .replaceAll(dir, 'folder')
        .replace(/anchor\S+/g, 'temporary'),
    );
    expect(named).toEqual(['open temporary', 'write temporary', 'fsync temporary', 'close temporary', 'rename temporary to anchor', 'open folder', 'fsync folder', 'close folder']);
    expect(readAnchors(dir, publicKey).anchors.map((a) => a.seq)).toEqual([8]);
  });

  it('creates its folder and the folders above it', () => {
    const dir = path.join(freshDir(), 'gateway', 'anchors');
    new AnchorWriter(dir, privateKey, 'gw-1').anchor(HEAD);
    expect(readAnchors(dir, publicKey).anchors.map((a) => a.chainId)).toEqual(['gw-1']);
  });

  it('does not keep the process alive for its timer', () => {
    const timers = () => process.getActiveResourcesInfo().filter((r) => r === 'Timeout').length;
    const before = timers();
    const writer = new AnchorWriter(freshDir(), privateKey, 'gw-1');
    writer.start(() => HEAD, 3_600_000);
    expect(timers()).toBe(before);
    writer.close(HEAD);
  });

  it('keeps anchoring after a write fails, and says so', () => {
    vi.useFakeTimers();
    const dir = freshDir();
    const lines: string[] = [];
    configureLogger({ service: 'test', level: 'info', destination: { write: (line: string) => void lines.push(line) } });
    try {
      const writer = new AnchorWriter(dir, privateKey, 'gw-1', clock('2026-12-01T08:00:00.000Z'));
      let fail = true;
      writer.start(() => {
        if (fail) throw new Error('disk full');
        return HEAD;
      }, 1_000);
      vi.advanceTimersByTime(1_000);
      expect(lines).toHaveLength(1);
      expect(JSON.parse(lines[0]!)).toMatchObject({ level: 'error', service: 'test', event: 'audit anchor not written', chainId: 'gw-1', error: 'Error: disk full' });
      fail = false;
      vi.advanceTimersByTime(1_000);
      expect(readAnchors(dir, publicKey).anchors.map((a) => a.seq)).toEqual([7]);
      expect(lines).toHaveLength(1);
      writer.close(HEAD);
    } finally {
      configureLogger({ service: 'test' });
    }
  });

  it('keeps each chain in a file of its own, whatever characters its id holds', () => {
    const dir = freshDir();
    for (const id of ['gw-1', '../../etc/passwd', 'gw 2/worker:3']) new AnchorWriter(dir, privateKey, id).anchor(HEAD);
    expect(readdirSync(dir)).toHaveLength(3);
    expect(readdirSync(dir).every((f) => /^[0-9a-f]{32}\.anchor\.json$/.test(f))).toBe(true);
    expect(
      readAnchors(dir, publicKey)
        .anchors.map((a) => a.chainId)
        .sort(),
    ).toEqual(['../../etc/passwd', 'gw 2/worker:3', 'gw-1']);
  });

  it('reads none from a folder that does not exist, and fails on one it cannot read', () => {
    expect(readAnchors(path.join(root, 'never-made'), publicKey)).toEqual({ anchors: [], untrusted: [] });
    const file = path.join(root, 'a-file');
    writeFileSync(file, 'x');
    expect(() => readAnchors(file, publicKey)).toThrow(/ENOTDIR/);
  });

  it('ignores files that are not anchors', () => {
    const dir = freshDir();
    new AnchorWriter(dir, privateKey, 'gw-1').anchor(HEAD);
    writeFileSync(path.join(dir, 'notes.txt'), 'not an anchor');
    writeFileSync(path.join(dir, 'x.anchor.json.tmp'), '{');
    expect(readAnchors(dir, publicKey)).toMatchObject({ anchors: [{ chainId: 'gw-1' }], untrusted: [] });
  });

  describe('refuses an anchor it cannot trust, saying why', () => {
    const FORGED = "it is not signed by the gateway's anchor key: it was altered or forged";
    /** A folder with one genuine anchor of gw-1, and its file. */
    const genuine = () => {
      const dir = freshDir();
      new AnchorWriter(dir, privateKey, 'gw-1', clock('2026-12-01T08:00:00.000Z')).anchor(HEAD);
      const file = onlyFile(dir);
      return { dir, file, name: path.basename(file), content: JSON.parse(readFileSync(file, 'utf8')) as ChainAnchor & { signature: string } };
    };
    /** Writes `anchor` signed with `key` into `file`. */
    const signedAs = (file: string, anchor: Record<string, unknown>, key = privateKey) =>
      writeFileSync(file, JSON.stringify({ ...anchor, signature: sign(null, Buffer.from(canonicalJson(anchor)), key).toString('base64') }));

    it.each([
      ['an anchored place moved back', { seq: 3 }],
      ['another hash', { hash: 'f'.repeat(64) }],
      ['another time', { at: '2027-01-01T00:00:00.000Z' }],
      ['another chain', { chainId: 'gw-2' }],
      ['no signature', { signature: undefined }],
      ['a signature that is not a string', { signature: 12 }],
    ])('altered: %s', (_, change) => {
      const { dir, file, name, content } = genuine();
      writeFileSync(file, JSON.stringify({ ...content, ...change }));
      expect(readAnchors(dir, publicKey)).toEqual({ anchors: [], untrusted: [{ file: name, reason: FORGED }] });
    });

    it('signed with another key', () => {
      const { dir, file, name, content } = genuine();
      const { signature: _, ...anchor } = content;
      signedAs(file, anchor, other.privateKey);
      expect(readAnchors(dir, publicKey).untrusted).toEqual([{ file: name, reason: FORGED }]);
      // The same file is good to the key that signed it.
      expect(readAnchors(dir, other.publicKey).anchors).toEqual([anchor]);
    });

    it('not JSON', () => {
      const { dir, file, name } = genuine();
      writeFileSync(file, '{"chainId": "gw-1", ');
      expect(readAnchors(dir, publicKey)).toEqual({ anchors: [], untrusted: [{ file: name, reason: 'it is not JSON' }] });
    });

    it('none: an anchor of the first record is as good as any', () => {
      const { dir, file } = genuine();
      const anchor = { chainId: 'gw-1', seq: 1, hash: HEAD.hash, at: '2026-12-01T08:00:00.000Z' };
      signedAs(file, anchor);
      expect(readAnchors(dir, publicKey)).toEqual({ anchors: [anchor], untrusted: [] });
    });

    it.each([0, -1, 2.5])('signed, but at place %s, which no record has', (seq) => {
      const { dir, file, name } = genuine();
      signedAs(file, { chainId: 'gw-1', seq, hash: HEAD.hash, at: '2026-12-01T08:00:00.000Z' });
      expect(readAnchors(dir, publicKey).untrusted).toEqual([{ file: name, reason: FORGED }]);
    });

    it("signed, but in another chain's file (an anchor copied over another)", () => {
      const { dir, file } = genuine();
      new AnchorWriter(dir, privateKey, 'gw-2', clock('2026-12-01T08:00:00.000Z')).anchor(HEAD);
      const otherFile = readdirSync(dir)
        .map((f) => path.join(dir, f))
        .find((f) => f !== file)!;
      writeFileSync(otherFile, readFileSync(file));
      expect(readAnchors(dir, publicKey)).toEqual({
        anchors: [{ chainId: 'gw-1', seq: 7, hash: HEAD.hash, at: '2026-12-01T08:00:00.000Z' }],
        untrusted: [{ file: path.basename(otherFile), reason: FORGED }],
      });
    });
  });
});

describe('verifying the access log against its anchors', () => {
  const NAME = testDatabasePrefix('unit_audit_anchors');
  let url: string;

  const entry = (i: number): AuditEntry => ({
    at: new Date(Date.UTC(2026, 11, 1, 9, 0, i)).toISOString(),
    requestId: `req-${i}`,
    channel: 'graphql',
    principal: { sub: 'officer', agency: 'TAX', roles: ['officer'], region: null },
    purpose: 'TAX_ADMINISTRATION',
    operationName: 'Profile',
    operationHash: null,
    enterprises: ['91110000000000000A'],
    decisions: [],
    policyRevision: 'test',
    outcome: 'ok',
  });

  /** Runs `sql` with the append-only trigger out of the way, as someone with the database's keys would. */
  async function tamper(sql: string, params: unknown[]): Promise<void> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    try {
      await client.query('SET session_replication_role = replica');
      await client.query(sql, params);
    } finally {
      await client.end();
    }
  }

  /**
   * A chain of `n` records, anchored at its head on close, in a folder of its own, and a reader
   * of the log. Each test's chain is the only one in the log while it runs.
   */
  async function anchoredChain(chain: string, n: number): Promise<{ dir: string; log: AuditLog }> {
    const dir = freshDir();
    const writer = await AuditLog.open({ url }, chain, { anchors: { dir, key: privateKey, intervalMs: 3_600_000 } });
    for (let i = 0; i < n; i++) await writer.append(entry(i));
    await writer.close();
    return { dir, log: await AuditLog.openReader({ url }) };
  }

  afterEach(() => tamper('DELETE FROM audit_records', []));

  beforeAll(async () => {
    [url] = (await createDatabases([NAME])) as [string];
  });

  it('finds an untouched chain intact and anchored', async () => {
    const { dir, log } = await anchoredChain('whole', 3);
    try {
      expect(readAnchors(dir, publicKey).anchors).toMatchObject([{ chainId: 'whole', seq: 3 }]);
      expect(await log.verify(readAnchors(dir, publicKey))).toEqual({ intact: true, chains: 1, records: 3, anchored: 1 });
      // Without the anchors, it is intact and none is anchored.
      expect(await log.verify()).toEqual({ intact: true, chains: 1, records: 3, anchored: 0 });
    } finally {
      await log.close();
    }
  });

  it('anchors the head as the chain grows, not only when the writer closes', async () => {
    const dir = freshDir();
    const writer = await AuditLog.open({ url }, 'growing', { anchors: { dir, key: privateKey, intervalMs: 20 } });
    try {
      const record = await writer.append(entry(0));
      for (let waited = 0; readAnchors(dir, publicKey).anchors.length === 0 && waited < 5_000; waited += 20) await new Promise((r) => setTimeout(r, 20));
      expect(readAnchors(dir, publicKey).anchors).toMatchObject([{ chainId: 'growing', seq: 1, hash: record.hash }]);
    } finally {
      await writer.close();
    }
  });

  it('anchors on close the records still under way when it was asked to close', async () => {
    const dir = freshDir();
    const writer = await AuditLog.open({ url }, 'closing', { anchors: { dir, key: privateKey, intervalMs: 3_600_000 } });
    const underWay = [0, 1].map((i) => writer.append(entry(i)));
    await writer.close();
    const [, last] = await Promise.all(underWay);
    expect(readAnchors(dir, publicKey).anchors).toMatchObject([{ chainId: 'closing', seq: 2, hash: last!.hash }]);
  });

  it('counts the chains it found anchored among those it holds', async () => {
    const { dir, log } = await anchoredChain('anchored', 2);
    const unanchored = await AuditLog.open({ url }, 'unanchored');
    try {
      await unanchored.append(entry(0));
      expect(await log.verify(readAnchors(dir, publicKey))).toEqual({ intact: true, chains: 2, records: 3, anchored: 1 });
    } finally {
      await unanchored.close();
      await log.close();
    }
  });

  it('reports records cut off the end of an anchored chain', async () => {
    const { dir, log } = await anchoredChain('cut', 4);
    try {
      await tamper('DELETE FROM audit_records WHERE chain_id = $1 AND seq > 2', ['cut']);
      // Without its anchor the shorter chain is as intact as any.
      expect(await log.verify()).toMatchObject({ intact: true });
      const verdict = await log.verify(readAnchors(dir, publicKey));
      expect(verdict).toMatchObject({ intact: false, chainId: 'cut', seq: 3 });
      expect(verdict.intact === false && verdict.reason).toMatch(/^the chain ends at record 2 but was anchored at record 4 on 2026-.*: records 3 to 4 were cut off its end$/);
    } finally {
      await log.close();
    }
  });

  it('reports an anchored record whose hash was changed', async () => {
    const { dir, log } = await anchoredChain('rewritten', 2);
    try {
      await tamper('UPDATE audit_records SET hash = $2 WHERE chain_id = $1 AND seq = 2', ['rewritten', 'e'.repeat(64)]);
      const verdict = await log.verify(readAnchors(dir, publicKey));
      expect(verdict).toMatchObject({ intact: false, chainId: 'rewritten', seq: 2 });
      // Here the hash no longer matches the content, found before the anchor is compared.
      expect(verdict.intact === false && verdict.reason).toBe('its content does not match its hash: the record was altered');
    } finally {
      await log.close();
    }
  });

  it('reports the record at an anchored place that is not the one anchored (a chain rewritten and rehashed from there)', async () => {
    const dir = freshDir();
    const { log } = await anchoredChain('replaced', 2);
    try {
      // An anchor of place 2 with another hash, signed with the gateway's key: the log's record 2 is not it.
      const anchor = { chainId: 'replaced', seq: 2, hash: 'f'.repeat(64), at: '2026-12-01T08:00:00.000Z' };
      const writer = new AnchorWriter(dir, privateKey, 'replaced', clock(anchor.at));
      writer.anchor({ seq: 2, hash: anchor.hash });
      const verdict = await log.verify(readAnchors(dir, publicKey));
      expect(verdict).toEqual({
        intact: false,
        chains: 1,
        records: 2,
        anchored: 1,
        chainId: 'replaced',
        seq: 2,
        reason: 'record 2 is not the one anchored on 2026-12-01T08:00:00.000Z: the chain was rewritten from there',
      });
    } finally {
      await log.close();
    }
  });

  it('reports a chain removed whole, and an anchor file it cannot trust', async () => {
    const { dir, log } = await anchoredChain('removed', 2);
    try {
      await tamper('DELETE FROM audit_records WHERE chain_id = $1', ['removed']);
      const verdict = await log.verify(readAnchors(dir, publicKey));
      expect(verdict).toMatchObject({ intact: false, chainId: 'removed', seq: 1 });
      expect(verdict.intact === false && verdict.reason).toMatch(/^the chain was anchored at record 2 on .*, but the log holds none of it: the whole chain was removed$/);
      writeFileSync(onlyFile(dir), 'garbage');
      expect(await log.verify(readAnchors(dir, publicKey))).toMatchObject({
        intact: false,
        chainId: '(anchors)',
        seq: 0,
        reason: `the anchor file ${readdirSync(dir)[0]} cannot be trusted: it is not JSON`,
      });
    } finally {
      await log.close();
    }
  });
});
