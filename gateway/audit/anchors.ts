/**
 * Chain anchors: each chain's head (its last record's place and hash), signed by the gateway and
 * kept outside the log's store. A hash chain proves that nothing before its last record was
 * changed, removed or reordered, but records cut off its end leave a shorter chain that is just as
 * intact. An anchor says how far the chain had got: a chain that ends before its anchor, or whose
 * record at the anchor's place is not the anchored one, was cut off or rewritten.
 *
 * The writer anchors its head periodically (when it moved) and when it closes; each anchor is a
 * small JSON file per chain, replaced atomically (written, synced, renamed, the folder synced),
 * and signed with Ed25519, so that someone who can write the folder but not the gateway's key
 * cannot make one up. What anchoring cannot see: records appended after the last anchor and cut
 * off before the next (up to one interval's worth); an anchor file removed, or put back from an
 * earlier copy (verification counts the chains it found anchored, so a removal shows as a chain
 * without one). Anchors protect as far as their folder and key are out of reach of whoever can
 * write the log's store: in production, another volume or host than the store's.
 */
import { createHash, sign, verify, type KeyObject } from 'node:crypto';
import { closeSync, fsyncSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, writeSync } from 'node:fs';
import path from 'node:path';
import { canonicalJson } from './canonicalJson.js';
import { logger } from '../../platform/observability/logger.js';

/** A chain's head as anchored. */
export interface ChainAnchor {
  readonly chainId: string;
  readonly seq: number;
  readonly hash: string;
  /** When the anchor was taken (ISO 8601). */
  readonly at: string;
}

/** Anchors read from a folder, with the files that could not be trusted. */
export interface AnchorReading {
  readonly anchors: readonly ChainAnchor[];
  /** Files that are not an anchor signed by the key (forged, altered, unreadable), with why. */
  readonly untrusted: readonly { readonly file: string; readonly reason: string }[];
}

/** Writes one chain's anchors into `dir`, signed with `key` (the gateway's Ed25519 anchor key). */
export class AnchorWriter {
  private written: { seq: number; hash: string } | null = null;
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly dir: string,
    private readonly key: KeyObject,
    private readonly chainId: string,
    private readonly now: () => Date = () => new Date(),
  ) {
    mkdirSync(dir, { recursive: true, mode: 0o700 });
  }

  /** Anchors `head()` every `intervalMs` when it has moved. */
  start(head: () => { seq: number; hash: string }, intervalMs: number): void {
    this.timer = setInterval(() => {
      try {
        this.anchor(head());
      } catch (error) {
        logger().error({ event: 'audit anchor not written', chainId: this.chainId, error: String(error) });
      }
    }, intervalMs);
    this.timer.unref();
  }

  /** Writes the anchor of `head` unless it is the one already written (a chain with no record has none). */
  anchor(head: { seq: number; hash: string }): void {
    if (head.seq === 0 || (this.written && this.written.seq === head.seq)) return;
    const anchor: ChainAnchor = { chainId: this.chainId, seq: head.seq, hash: head.hash, at: this.now().toISOString() };
    const signature = sign(null, Buffer.from(canonicalJson(anchor)), this.key).toString('base64');
    const file = anchorFile(this.dir, this.chainId);
    const temporary = `${file}.tmp`;
    const fd = openSync(temporary, 'w', 0o600);
    try {
      writeSync(fd, `${JSON.stringify({ ...anchor, signature })}\n`);
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
    renameSync(temporary, file);
    syncFolder(this.dir);
    this.written = head;
  }

  /** Stops the timer and anchors the final head. */
  close(head: { seq: number; hash: string }): void {
    clearInterval(this.timer ?? undefined);
    this.timer = null;
    this.anchor(head);
  }
}

/** The anchors in `dir` that `publicKey` signed; a missing folder holds none. */
export function readAnchors(dir: string, publicKey: KeyObject): AnchorReading {
  let files: string[];
  try {
    files = readdirSync(dir).filter((f) => f.endsWith('.anchor.json'));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return { anchors: [], untrusted: [] };
    throw error;
  }
  const anchors: ChainAnchor[] = [];
  const untrusted: { file: string; reason: string }[] = [];
  for (const file of files.sort()) {
    let parsed: ChainAnchor & { signature?: unknown };
    try {
      // Stryker disable next-line StringLiteral: equivalent, JSON.parse reads a buffer as UTF-8 text too
      parsed = JSON.parse(readFileSync(path.join(dir, file), 'utf8')) as ChainAnchor & { signature?: unknown };
    } catch {
      untrusted.push({ file, reason: 'it is not JSON' });
      continue;
    }
    const { signature, ...rest } = parsed;
    const anchor: ChainAnchor = { chainId: String(rest.chainId), seq: Number(rest.seq), hash: String(rest.hash), at: String(rest.at) };
    const signed = typeof signature === 'string' && verify(null, Buffer.from(canonicalJson(anchor)), publicKey, Buffer.from(signature, 'base64'));
    if (!signed || !Number.isInteger(anchor.seq) || anchor.seq < 1 || file !== path.basename(anchorFile(dir, anchor.chainId))) {
      untrusted.push({ file, reason: "it is not signed by the gateway's anchor key: it was altered or forged" });
      continue;
    }
    anchors.push(anchor);
  }
  return { anchors, untrusted };
}

/** The file of a chain's anchor: named by a hash of the chain id, which may hold any character. */
function anchorFile(dir: string, chainId: string): string {
  return path.join(dir, `${createHash('sha256').update(chainId).digest('hex').slice(0, 32)}.anchor.json`);
}

/** Makes a rename in `dir` durable. */
function syncFolder(dir: string): void {
  const fd = openSync(dir, 'r');
  try {
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
}
