/**
 * One writer per store. An embedded database (PGlite) is one process's: a second process that
 * opens the same folder keeps its own idea of the files and, on its way out, writes it back over
 * the first one's, so records the first had acknowledged are gone (or the folder cannot be opened
 * again). Each process therefore takes the folder's lock file (`<folder>.lock`, beside it) before
 * opening it, and a second one is refused with who holds it. A lock left by a process that no
 * longer runs (killed, or the machine restarted) is taken over.
 */
import { closeSync, openSync, readFileSync, renameSync, rmSync, writeSync } from 'node:fs';
import os from 'node:os';

/** Who holds a store's lock. */
export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  /** The process's start time as the kernel counts it (Linux), to tell a reused pid from the holder. */
  readonly started: string | null;
  readonly command: string;
  readonly since: string;
}

/** The store is held by another process that still runs. */
export class StoreInUseError extends Error {
  override readonly name = 'StoreInUseError';

  constructor(
    readonly folder: string,
    readonly holder: LockHolder,
  ) {
    super(
      `the database at ${folder} is in use by process ${holder.pid} (${holder.command}) since ${holder.since}: ` +
        'an embedded database is one process\'s, and a second process opening it would lose what the first wrote',
    );
  }
}

/** A held lock. */
export interface StoreLock {
  /** Gives the lock up (once the store is closed). */
  release(): void;
}

/** Takes the lock of the store in `folder`, or throws {@link StoreInUseError} naming its holder. */
export function lockStore(folder: string): StoreLock {
  const file = `${folder}.lock`;
  const me: LockHolder = {
    pid: process.pid,
    host: os.hostname(),
    started: startTime(process.pid),
    command: process.argv.slice(1).map((a) => a.replace(/^.*\/(dist|node_modules)\//, '')).join(' ').slice(0, 200),
    since: new Date().toISOString(),
  };
  const text = `${JSON.stringify(me)}\n`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(file, 'wx', 0o600);
      try {
        writeSync(fd, text);
      } finally {
        closeSync(fd);
      }
      return {
        release: () => {
          // Only our own lock: never one a later holder took over.
          if (readHolder(file)?.pid === me.pid && readHolder(file)?.since === me.since) rmSync(file, { force: true });
        },
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = readHolder(file);
    if (holder && holds(holder)) throw new StoreInUseError(folder, holder);
    // A lock its holder left behind: moved aside (atomically, so only one taker succeeds), then retaken.
    const stale = `${file}.stale-${process.pid}`;
    try {
      renameSync(file, stale);
      rmSync(stale, { force: true });
    } catch {
      // Another process took it over first; the next attempt finds its lock.
    }
  }
  const holder = readHolder(file);
  throw holder ? new StoreInUseError(folder, holder) : new Error(`cannot take the lock ${file} of the database at ${folder}`);
}

function readHolder(file: string): LockHolder | null {
  try {
    const holder = JSON.parse(readFileSync(file, 'utf8')) as LockHolder;
    return typeof holder.pid === 'number' ? holder : null;
  } catch {
    return null;
  }
}

/** Whether the holder of a lock still runs (on another host, it is taken to). */
function holds(holder: LockHolder): boolean {
  if (holder.host !== os.hostname()) return true;
  try {
    process.kill(holder.pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  // The pid runs; it is the holder unless the kernel says it started at another time.
  const started = startTime(holder.pid);
  return holder.started === null || started === null || started === holder.started;
}

/** The start time of a process in clock ticks since boot (field 22 of /proc/<pid>/stat), or null. */
function startTime(pid: number): string | null {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses: count from the last ')'.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19] ?? null;
  } catch {
    return null;
  }
}
