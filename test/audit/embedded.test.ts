/**
 * The embedded access log (PGlite, the default of `make start`) has one writer: the gateway. The
 * command line asks the running gateway, or opens the folder only when no gateway holds it. A
 * gateway killed outright loses no record of an answer it gave, and its chain, anchored outside
 * the folder, verifies afterwards. A folder that cannot be opened is reported, never replaced.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { mintToken } from '../../gateway/auth/tokens.js';
import { projectRoot } from '../../platform/config/projectRoot.js';
import { CALLERS, headersFor } from '../support/callers.js';
import { issuerKeyFile } from '../support/federation.js';
import { startGatewayProcess, type GatewayProcess } from '../support/gateway.js';
import { universe } from '../support/universe.js';

const federation = inject('federation');
const codes = universe(federation.seed, 200).map((e) => e.uscc);

/** Runs the audit command line with the environment of `gateway` (its data folder). */
function cli(gateway: Pick<GatewayProcess, 'env'>, ...args: string[]): { status: number; stdout: string; stderr: string } {
  try {
    const stdout = execFileSync(process.execPath, [path.join(projectRoot, 'dist/scripts/audit.js'), ...args], {
      env: { ...process.env, ...gateway.env },
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    return { status: 0, stdout, stderr: '' };
  } catch (error) {
    const e = error as { status: number; stdout: string; stderr: string };
    return { status: e.status, stdout: e.stdout, stderr: e.stderr };
  }
}

async function auditorToken(): Promise<string> {
  return mintToken(CALLERS.auditor.claims, { issuerKeyFile: issuerKeyFile(federation), ttlSeconds: 600 });
}

/** Asks `n` profiles as a tax officer, `concurrency` at a time, and returns the request ids of those answered 200. */
async function answered(gateway: GatewayProcess, n: number, concurrency = 8): Promise<string[]> {
  const headers = { 'content-type': 'application/json', ...(await headersFor(federation, CALLERS.taxOfficer)) };
  const ids: string[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < n) {
        const i = next++;
        const res = await fetch(gateway.url, {
          method: 'POST',
          headers,
          body: JSON.stringify({ query: 'query($u: USCC!) { enterprise(uscc: $u) { market { name } tax { taxpayerType } } }', variables: { u: codes[i % codes.length] } }),
        });
        await res.text();
        if (res.status === 200) ids.push(res.headers.get('x-request-id')!);
      }
    }),
  );
  return ids;
}

describe('the embedded access log', () => {
  it('is held by its gateway: the command line is refused the folder, with who holds it, and reads it through the gateway', async () => {
    const gateway = await startGatewayProcess(federation, { embeddedAuditLog: true });
    try {
      const ids = await answered(gateway, 20);
      expect(ids).toHaveLength(20);
      const refused = cli(gateway, 'log', '--limit', '100');
      expect(refused.status).toBe(3);
      expect(refused.stderr).toContain(`the database at ${path.join(gateway.dataDir, 'audit')} is in use by process ${gateway.child.pid} (gateway/index.js)`);
      expect(refused.stderr).toContain(`npm run -s audit -- log --gateway ${gateway.url} --token`);
      // Through the gateway, as an auditor: every answer is there.
      const token = await auditorToken();
      const viaGateway = cli(gateway, 'log', '--limit', '100', '--gateway', gateway.url, '--token', token);
      expect(viaGateway.status).toBe(0);
      for (const id of ids) expect(viaGateway.stdout).toContain(id);
      const verified = cli(gateway, 'verify', '--gateway', gateway.url, '--token', token);
      expect(verified.stdout).toMatch(/^intact: 1 chain, \d+ records; /);
      // A token that is not an auditor's, acting for AUDIT, is refused by the policy.
      const officer = await mintToken(CALLERS.taxOfficer.claims, { issuerKeyFile: issuerKeyFile(federation), ttlSeconds: 600 });
      expect(cli(gateway, 'verify', '--gateway', gateway.url, '--token', officer)).toMatchObject({ status: 2, stderr: expect.stringMatching(/^audit: the gateway refused: /) });
      // The folder was not touched by the refused command: the gateway goes on recording.
      expect(await answered(gateway, 5)).toHaveLength(5);
    } finally {
      expect(await gateway.stop()).toBe(0);
    }
    // Stopped, it leaves the folder free and its chain anchored.
    const offline = cli(gateway, 'verify');
    expect(offline).toMatchObject({ status: 0, stdout: expect.stringMatching(/^intact: 1 chain, \d+ records; 1 of 1 chain heads found where anchored\n$/) });
  });

  it('is refused to a second gateway on the same folder', async () => {
    const first = await startGatewayProcess(federation, { embeddedAuditLog: true });
    try {
      const second = await startGatewayProcess(federation, { embeddedAuditLog: true, dataDir: first.dataDir, waitReady: false });
      expect(await second.exited()).toBe(1);
      expect(second.output()).toContain(`gateway cannot start: the database at ${path.join(first.dataDir, 'audit')} is in use by process ${first.child.pid}`);
      expect(await answered(first, 3)).toHaveLength(3);
    } finally {
      await first.stop();
    }
  });

  it('loses no record of an answer when its gateway is killed outright, and its chain verifies against its anchor', async () => {
    const gateway = await startGatewayProcess(federation, { embeddedAuditLog: true, extraEnv: { MEG_AUDIT_ANCHOR_INTERVAL_MS: '100' } });
    const ids = await answered(gateway, 300, 16);
    expect(ids).toHaveLength(300);
    // The anchor has caught up with the answers given (it follows the head every 100 ms).
    const anchors = path.join(gateway.dataDir, 'audit-anchors');
    await waitFor(() => existsSync(anchors) && readdirSync(anchors).some((f) => f.endsWith('.anchor.json') && JSON.parse(readFileSync(path.join(anchors, f), 'utf8')).seq >= 300));
    await gateway.kill();
    // The folder's lock was left by a process that is gone: the command line takes it over.
    const verified = cli(gateway, 'verify');
    expect(verified).toMatchObject({ status: 0, stdout: expect.stringMatching(/^intact: 1 chain, \d+ records; 1 of 1 chain heads found where anchored\n$/) });
    const log = cli(gateway, 'log', '--limit', '10000');
    const recorded = new Set(
      log.stdout
        .trim()
        .split('\n')
        .map((line) => line.split(' ').at(-1)),
    );
    expect(ids.filter((id) => !recorded.has(id))).toEqual([]);
    // And a gateway starts on it again, resuming the chain.
    const again = await startGatewayProcess(federation, { embeddedAuditLog: true, dataDir: gateway.dataDir });
    try {
      expect(await answered(again, 3)).toHaveLength(3);
    } finally {
      await again.stop();
    }
    expect(cli(gateway, 'verify').stdout).toMatch(/^intact: 2 chains, /);
    // Two gateways started, 300 requests answered and a crash on PGlite: about 45 s with both cores busy.
  }, 150_000);

  it('finds records cut off the end of a chain, which no hash can: the anchor says how far the chain had got', async () => {
    const gateway = await startGatewayProcess(federation, { embeddedAuditLog: true });
    await answered(gateway, 10);
    await gateway.stop();
    const anchors = path.join(gateway.dataDir, 'audit-anchors');
    const [file] = readdirSync(anchors).filter((f) => f.endsWith('.anchor.json'));
    const anchor = JSON.parse(readFileSync(path.join(anchors, file!), 'utf8'));
    expect(anchor.seq).toBeGreaterThanOrEqual(10);
    // The last three records are cut off, behind the append-only trigger's back: what is left is a
    // whole chain, only shorter.
    const { openDatabase } = await import('../../platform/db/database.js');
    const db = await openDatabase({ dataDir: path.join(gateway.dataDir, 'audit') });
    await db.transaction(async (tx) => {
      await tx.query('SET LOCAL session_replication_role = replica');
      await tx.query('DELETE FROM audit_records WHERE chain_id = $1 AND seq > $2', [anchor.chainId, anchor.seq - 3]);
    });
    await db.close();
    const cut = cli(gateway, 'verify');
    expect(cut.status).toBe(1);
    expect(cut.stdout).toBe(
      `BROKEN: chain ${anchor.chainId}, record ${anchor.seq - 2}: the chain ends at record ${anchor.seq - 3} but was anchored at record ${anchor.seq} on ${anchor.at}: ` +
        `records ${anchor.seq - 2} to ${anchor.seq} were cut off its end (${anchor.seq - 3} records verified before it)\n`,
    );
    // An anchor moved back to match cannot be made without the gateway's key: it is not trusted.
    writeFileSync(path.join(anchors, file!), JSON.stringify({ ...anchor, seq: anchor.seq - 3 }));
    const forged = cli(gateway, 'verify');
    expect(forged.status).toBe(1);
    expect(forged.stdout).toMatch(/^BROKEN: chain \(anchors\), record 0: the anchor file \w+\.anchor\.json cannot be trusted: it is not signed by the gateway's anchor key/);
  });

  it('that cannot be opened is reported with its folder, the cause and what to do, and left as it is', async () => {
    const gateway = await startGatewayProcess(federation, { embeddedAuditLog: true });
    await answered(gateway, 3);
    await gateway.stop();
    const folder = path.join(gateway.dataDir, 'audit');
    // The cluster's control file is damaged (as a disk fault or a second writer would leave it).
    const control = path.join(folder, 'global/pg_control');
    writeFileSync(control, Buffer.alloc(readFileSync(control).length, 0x55));
    const before = readFileSync(control);
    const broken = await startGatewayProcess(federation, { embeddedAuditLog: true, dataDir: gateway.dataDir, waitReady: false });
    expect(await broken.exited()).toBe(1);
    expect(broken.output()).toContain(`gateway cannot start: the embedded database at ${folder} cannot be opened (`);
    expect(broken.output()).toContain(`it was left as it is, nothing in it replaced or removed. Restore the folder from a backup, or move it aside (mv ${folder} ${folder}.unreadable)`);
    expect(readFileSync(control).equals(before)).toBe(true);
    expect(cli(broken, 'verify')).toMatchObject({ status: 2, stderr: expect.stringContaining(`the embedded database at ${folder} cannot be opened`) });
    rmSync(gateway.dataDir, { recursive: true, force: true });
  });
});

/** Polls `condition` every 20 ms until it holds (60 s at most). */
async function waitFor(condition: () => boolean): Promise<void> {
  const deadline = Date.now() + 60_000;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('the condition did not hold within 60 s');
    await new Promise((r) => setTimeout(r, 20));
  }
}
