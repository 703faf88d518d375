import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { projectRoot } from '../config/projectRoot.js';
import { lockStore, StoreInUseError } from './storeLock.js';

function folder(): string {
  return path.join(mkdtempSync(path.join(os.tmpdir(), 'meg-lock-')), 'store');
}

/** A lock file as a process that no longer runs left it. */
function abandon(store: string, pid = 2 ** 22 + 17, started: string | null = '1'): void {
  writeFileSync(`${store}.lock`, `${JSON.stringify({ pid, host: os.hostname(), started, command: 'gone', since: '2026-01-01T00:00:00.000Z' })}\n`);
}

describe('the lock of a store', () => {
  it('is held by one process: a second taker is refused with the holder named', async () => {
    const store = folder();
    const lock = await lockStore(store);
    const refused = await lockStore(store).catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(StoreInUseError);
    expect((refused as StoreInUseError).holder.pid).toBe(process.pid);
    expect((refused as Error).message).toMatch(new RegExp(`^the database at ${store} is in use by process ${process.pid} \\(`));
    lock.release();
    expect(existsSync(`${store}.lock`)).toBe(false);
    (await lockStore(store)).release();
  });

  it('is taken over from a process that no longer runs, and from a pid the kernel gave to another process since', async () => {
    const dead = folder();
    abandon(dead);
    const lock = await lockStore(dead);
    expect(JSON.parse(readFileSync(`${dead}.lock`, 'utf8')).pid).toBe(process.pid);
    lock.release();
    // Our own pid, but started at another time: not the process that took the lock.
    const reused = folder();
    abandon(reused, process.pid, '1');
    (await lockStore(reused)).release();
  });

  it('leaves alone a lock a later holder took over when an earlier holder releases', async () => {
    const store = folder();
    const first = await lockStore(store);
    // Someone removed the lock by hand and another process took it.
    const { rmSync } = await import('node:fs');
    rmSync(`${store}.lock`);
    abandon(store, process.ppid, null);
    first.release();
    expect(JSON.parse(readFileSync(`${store}.lock`, 'utf8')).pid).toBe(process.ppid);
  });

  it('goes to exactly one of several processes racing to take over an abandoned lock', async () => {
    const script = path.join(projectRoot, 'dist/platform/db/storeLock.js');
    for (let round = 0; round < 5; round++) {
      const store = folder();
      abandon(store);
      const start = Date.now() + 500;
      const outcomes = await Promise.all(
        Array.from({ length: 6 }, () => {
          const child = spawn(
            process.execPath,
            [
              '--input-type=module',
              '-e',
              `const { lockStore } = await import(${JSON.stringify(script)}); while (Date.now() < ${start}); try { await lockStore(${JSON.stringify(store)}); console.log('held'); setTimeout(() => {}, 1500); } catch (e) { console.log(e.name); }`,
            ],
            { stdio: ['ignore', 'pipe', 'inherit'] },
          );
          let out = '';
          child.stdout.on('data', (d: Buffer) => (out += d.toString()));
          return new Promise<string>((resolve) => child.on('exit', () => resolve(out.trim())));
        }),
      );
      expect(outcomes.filter((o) => o === 'held')).toHaveLength(1);
      expect(outcomes.filter((o) => o === 'StoreInUseError')).toHaveLength(5);
    }
  }, 60_000);
});
