/**
 * One writer per store. An embedded database (PGlite) is one process's: a second process that
 * opens the same folder keeps its own idea of the files and, on its way out, writes it back over
 * the first one's, so records the first had acknowledged are gone (or the folder cannot be opened
 * again). Each process therefore takes the folder's lock file (`<folder>.lock`, beside it) before
 * opening it, and a second one is refused with who holds it. A lock left by a process that no
 * longer runs (killed, or the machine restarted) is taken over, by one taker at a time: the taker
 * first holds `<folder>.lock.takeover` (created exclusively, like the lock), then removes the
 * abandoned lock only if it is still the one it judged abandoned, then creates its own. Without
 * that, two takers could each remove the other's fresh lock and both open the folder.
 */
import { randomBytes } from 'node:crypto';
import { closeSync, linkSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
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
        "an embedded database is one process's, and a second process opening it would lose what the first wrote",
    );
  }
}

/** A held lock. */
export interface StoreLock {
  /** Gives the lock up (once the store is closed). */
  release(): void;
}

/** Takes the lock of the store in `folder`, or throws {@link StoreInUseError} naming its holder. */
export async function lockStore(folder: string): Promise<StoreLock> {
  const file = `${folder}.lock`;
  const takeover = `${file}.takeover`;
  const text = holderText();
  const deadline = Date.now() + 10_000;
  for (;;) {
    if (createExclusive(file, text)) {
      return {
        release: () => {
          // Only our own lock: never one a later holder took over.
          if (readText(file) === text) rmSync(file, { force: true });
        },
      };
    }
    const judged = readText(file);
    const holder = parseHolder(judged);
    if (holder && holds(holder)) throw new StoreInUseError(folder, holder);
    // Abandoned (or half-written by a taker that died): taken over by one process at a time.
    const mine = holderText();
    if (createExclusive(takeover, mine)) {
      try {
        if (readText(file) === judged) rmSync(file, { force: true });
      } finally {
        if (readText(takeover) === mine) rmSync(takeover, { force: true });
      }
      continue;
    }
    // Another process is taking over; one that died doing so leaves its takeover file behind.
    const taker = readText(takeover);
    const takerHolder = parseHolder(taker);
    if (taker !== null && (!takerHolder || !holds(takerHolder)) && readText(takeover) === taker) rmSync(takeover, { force: true });
    if (Date.now() > deadline) throw new Error(`cannot take the lock ${file} of the database at ${folder}: another process keeps taking it over`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

/** Who this process is, as a lock file says it. */
function holderText(): string {
  const me: LockHolder = {
    pid: process.pid,
    host: os.hostname(),
    started: startTime(process.pid),
    command: process.argv
      .slice(1)
      .map((a) => a.replace(/^.*\/(dist|node_modules)\//, ''))
      .join(' ')
      .slice(0, 200),
    since: new Date().toISOString(),
  };
  return `${JSON.stringify({ ...me, nonce: randomBytes(8).toString('hex') })}\n`;
}

/**
 * Creates `file` holding `text` if no file is there; false if one is. The file appears whole:
 * written under a name of its own, then hard-linked into place (which fails if the name is taken),
 * so no reader ever sees a lock half written and takes it for an abandoned one.
 */
function createExclusive(file: string, text: string): boolean {
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}`;
  const fd = openSync(draft, 'wx', 0o600);
  try {
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
  try {
    linkSync(draft, file);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    rmSync(draft, { force: true });
  }
}

function readText(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

function parseHolder(text: string | null): LockHolder | null {
  if (text === null) return null;
  try {
    const holder = JSON.parse(text) as LockHolder;
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
