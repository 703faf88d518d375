/**
 * Opaque page positions. A cursor says where a page ends, and the natural way to say that is
 * the sort key of its last row: an employee's name and resident ID number, a declaration's date
 * and entry number. Handed out as they are, those values would reach callers that the policy
 * lets see them only masked or not at all (a base64 cursor beside a HASH-masked ID number undoes
 * the mask). So a cursor is sealed: the sort key, the list it belongs to and when it was issued,
 * encrypted and authenticated (AES-256-GCM) under a key that only the issuing subgraph holds,
 * derived from its own private key. A caller learns nothing from it, two cursors for the same row
 * differ (each has its own nonce), and one that was altered, comes from another list or another
 * service, or is older than its time to live is refused with an error naming the argument.
 */
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes, type KeyObject } from 'node:crypto';
import { GraphQLError } from 'graphql';

/** Error codes of a cursor that cannot be used. */
export const CURSOR_CODES = {
  invalid: 'INVALID_CURSOR',
  expired: 'CURSOR_EXPIRED',
} as const;

/** How long a cursor stays usable by default: time enough to page through a list, not to keep it. */
export const DEFAULT_CURSOR_TTL_MS = 60 * 60 * 1000;

const VERSION = 'c1';
const NONCE_BYTES = 12;
const TAG_BYTES = 16;
/** Longest cursor text accepted before any decoding (a sealed sort key is far shorter). */
const MAX_CURSOR_CHARS = 2_048;

/** The key that seals `service`'s cursors, from that service's own private key (never sent anywhere). */
export function cursorKey(privateKey: KeyObject, service: string): Buffer {
  const material = privateKey.export({ format: 'der', type: 'pkcs8' });
  return Buffer.from(hkdfSync('sha256', material, 'MEG-CURSOR-AES-256-GCM', `cursor:${service}`, 32));
}

/** Options of {@link CursorSealer}. */
export interface CursorSealerOptions {
  /** How long a cursor may be used after it was issued; default one hour. */
  readonly ttlMs?: number;
  /** The clock, in epoch milliseconds (tests inject one). */
  readonly now?: () => number;
}

/** Seals and opens the cursors of one service. */
export class CursorSealer {
  private readonly ttlMs: number;
  private readonly now: () => number;

  constructor(
    private readonly key: Buffer,
    options: CursorSealerOptions = {},
  ) {
    if (key.length !== 32) throw new Error('a cursor key is 32 bytes');
    this.ttlMs = options.ttlMs ?? DEFAULT_CURSOR_TTL_MS;
    this.now = options.now ?? Date.now;
  }

  /**
   * A cursor for the position `values` (the sort key of a row) in the list named `list`, of the
   * enterprise `scope` where the list is one enterprise's (a cursor of one enterprise's employees
   * is no position in another's: it would let a caller compare hidden keys across enterprises).
   */
  seal(list: string, values: readonly string[], scope = ''): string {
    const nonce = randomBytes(NONCE_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.key, nonce);
    cipher.setAAD(aad(list, scope));
    const plain = Buffer.from(JSON.stringify({ t: this.now(), v: values }), 'utf8');
    const sealed = Buffer.concat([nonce, cipher.update(plain), cipher.final(), cipher.getAuthTag()]);
    return `${VERSION}.${sealed.toString('base64url')}`;
  }

  /**
   * The position in `cursor`, which must have been sealed by this service for `list` (and `scope`)
   * with `arity` values, within its time to live; otherwise a GraphQLError that names `argument`.
   */
  open(list: string, cursor: string, arity: number, argument = 'after', scope = ''): string[] {
    const invalid = () =>
      new GraphQLError(`${argument} is not a cursor of this list: it was altered, or it comes from another list, enterprise or service`, {
        extensions: { code: CURSOR_CODES.invalid, argument },
      });
    if (cursor.length > MAX_CURSOR_CHARS || !cursor.startsWith(`${VERSION}.`)) throw invalid();
    const sealed = Buffer.from(cursor.slice(VERSION.length + 1), 'base64url');
    if (sealed.length < NONCE_BYTES + TAG_BYTES + 1) throw invalid();
    let plain: Buffer;
    try {
      const decipher = createDecipheriv('aes-256-gcm', this.key, sealed.subarray(0, NONCE_BYTES));
      decipher.setAAD(aad(list, scope));
      decipher.setAuthTag(sealed.subarray(sealed.length - TAG_BYTES));
      plain = Buffer.concat([decipher.update(sealed.subarray(NONCE_BYTES, sealed.length - TAG_BYTES)), decipher.final()]);
    } catch {
      throw invalid();
    }
    // Authentic from here on: only this service could have written it.
    const { t, v } = JSON.parse(plain.toString('utf8')) as { t: number; v: unknown };
    if (!Array.isArray(v) || v.length !== arity || !v.every((x) => typeof x === 'string')) throw invalid();
    const age = this.now() - t;
    if (age > this.ttlMs) {
      throw new GraphQLError(`${argument} is a cursor issued ${Math.round(age / 60_000)} min ago; cursors are valid for ${Math.round(this.ttlMs / 60_000)} min, start again from the first page`, {
        extensions: { code: CURSOR_CODES.expired, argument },
      });
    }
    return v;
  }
}

function aad(list: string, scope: string): Buffer {
  return Buffer.from(`meg-cursor:${list}\u0000${scope}`, 'utf8');
}
