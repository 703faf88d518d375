/**
 * How subgraphs know a request comes from the gateway: the gateway signs each request it
 * forwards — method, path, body, the caller context it derived from the verified token, a
 * timestamp and a one-time nonce — and a subgraph refuses, before touching its database, any
 * request that is unsigned, stale, replayed or altered.
 *
 * The signature is an HMAC-SHA256 under a key that the gateway shares with that one subgraph, in
 * the manner of AWS Signature Version 4. The key is never sent or stored: each side derives it
 * (X25519, then HKDF-SHA256 bound to the subgraph's name) from its own private key and the other
 * side's public key, so each keeps only its own secret, and an agency's key opens no other
 * agency: a compromised subgraph cannot forge requests to the others.
 *
 * Why not a public-key signature per request (Ed25519, the first design): verifying one cost
 * each agency 84–150 µs of CPU per request in a loop, most of what this gateway cost the agencies
 * beyond a plain gateway (README, "Performance"). Checking an HMAC costs about 8 µs in a loop and
 * 50–100 µs in a busy subgraph, where the code is cold on every request (the subgraphs time
 * their checks: meg_subgraph_signature_check_seconds). What it gives up: an
 * agency could mint a request "from the gateway" to itself, so its own access log is no proof to
 * a third party of what the gateway asked; the gateway's hash-chained audit log is that proof.
 */
import { createHmac, diffieHellman, hkdfSync, randomBytes, timingSafeEqual, type KeyObject } from 'node:crypto';
import type { RecordViews } from '../domain/recordView.js';

/** Header carrying `t=<unix ms>,n=<nonce>,sig=<base64url HMAC-SHA256>`. */
export const SIGNATURE_HEADER = 'x-meg-signature';
/** Header carrying the caller context as base64url JSON. */
export const CONTEXT_HEADER = 'x-meg-context';

const SCHEME = 'MEG-GATEWAY-HMAC-SHA256';
const SIGNATURE_BYTES = 32;

/**
 * The key that signs the gateway's requests to `subgraph` (its name in the supergraph): the same
 * on both sides, from the gateway's private key and the subgraph's public key, or the subgraph's
 * private key and the gateway's public key (X25519 key pairs).
 */
export function requestSigningKey(ownPrivateKey: KeyObject, peerPublicKey: KeyObject, subgraph: string): Buffer {
  const shared = diffieHellman({ privateKey: ownPrivateKey, publicKey: peerPublicKey });
  return Buffer.from(hkdfSync('sha256', shared, SCHEME, `subgraph:${subgraph}`, 32));
}

/** Who the gateway is forwarding for, rebuilt from the caller's verified token on every request. */
export interface CallerContext {
  readonly requestId: string;
  /** Token subject, or `public` for a caller without a token. */
  readonly sub: string;
  /** The caller's agency or government body; null for the public. */
  readonly agency: string | null;
  readonly roles: readonly string[];
  readonly region: string | null;
  /** The purpose declared for this request; null for the public. */
  readonly purpose: string | null;
  /**
   * Which entries of each agency's record the caller sees, as the gateway's policy decided
   * (platform/domain/recordView.ts); an agency missing from it is seen as the public sees it.
   */
  readonly recordViews?: RecordViews;
  /**
   * The day a joint review reads the record as of (YYYY-MM-DD): set by the gateway on its review's
   * own fact queries only, so no caller can ask for a past state of the record any other way.
   */
  readonly recordDay?: string;
}

/** What is signed of a request. */
export interface SignedRequestParts {
  readonly method: string;
  readonly path: string;
  readonly body: string | Buffer;
}

/** The headers to add to a request so that subgraphs accept it. */
export function signRequest(key: Buffer, request: SignedRequestParts, caller: CallerContext, now: number = Date.now()): Record<string, string> {
  return signEncodedRequest(key, request, encodeCallerContext(caller), now);
}

/** The caller context as it travels in {@link CONTEXT_HEADER}. */
export function encodeCallerContext(caller: CallerContext): string {
  return Buffer.from(JSON.stringify(caller)).toString('base64url');
}

/** {@link signRequest} for a caller context already encoded for its header. */
export function signEncodedRequest(key: Buffer, request: SignedRequestParts, context: string, now: number = Date.now()): Record<string, string> {
  const nonce = randomBytes(16).toString('base64url');
  const signature = mac(key, request, String(now), nonce, context).toString('base64url');
  return {
    [SIGNATURE_HEADER]: `t=${now},n=${nonce},sig=${signature}`,
    [CONTEXT_HEADER]: context,
  };
}

/** Why a request was refused; `status` is the HTTP status to answer with. */
export interface SignatureRefusal {
  readonly ok: false;
  readonly status: 401 | 403;
  readonly code: 'GATEWAY_SIGNATURE_REQUIRED' | 'GATEWAY_SIGNATURE_MALFORMED' | 'GATEWAY_SIGNATURE_STALE' | 'GATEWAY_SIGNATURE_INVALID' | 'GATEWAY_SIGNATURE_REPLAYED';
  readonly message: string;
}

/** Options of {@link SignatureVerifier}. */
export interface SignatureVerifierOptions {
  /** How far a signature's timestamp may be from the subgraph's clock; default 30 s. */
  readonly maxSkewMs?: number;
}

/** `t=<ms>,n=<nonce>,sig=<signature>`, the nonce and signature in base64url. */
const SIGNATURE_FORMAT = /^t=(\d{1,16}),n=([\w-]{1,64}),sig=([\w-]{1,128})$/;

/** Checks gateway signatures and remembers nonces for as long as their signatures are fresh. */
export class SignatureVerifier {
  private readonly maxSkewMs: number;
  private readonly seenNonces = new Set<string>();
  /**
   * The nonces in the order they were seen, with when each may be forgotten, from `head` on. A
   * queue rather than iterating a Map from its start: V8 keeps deleted entries as holes until it
   * rehashes, so that walk grew with the traffic of the last 30 s.
   */
  private forgetQueue: { readonly nonce: string; readonly expires: number }[] = [];
  private head = 0;

  /** `key`: from {@link requestSigningKey}, for this subgraph. */
  constructor(
    private readonly key: Buffer,
    options: SignatureVerifierOptions = {},
  ) {
    this.maxSkewMs = options.maxSkewMs ?? 30_000;
  }

  /** The caller context of a correctly signed request, or why the request is refused. */
  verify(
    request: SignedRequestParts,
    headers: { readonly [name: string]: string | string[] | undefined },
    now: number = Date.now(),
  ): { readonly ok: true; readonly caller: CallerContext } | SignatureRefusal {
    const header = single(headers[SIGNATURE_HEADER]);
    const context = single(headers[CONTEXT_HEADER]);
    if (header === undefined || context === undefined) {
      return refuse(401, 'GATEWAY_SIGNATURE_REQUIRED', 'this service answers only requests signed by the gateway');
    }
    const parts = SIGNATURE_FORMAT.exec(header);
    if (!parts) {
      return refuse(401, 'GATEWAY_SIGNATURE_MALFORMED', `${SIGNATURE_HEADER} must be t=<ms>,n=<nonce>,sig=<signature>`);
    }
    const [, t, nonce, sig] = parts as unknown as [string, string, string, string];
    const skew = Math.abs(now - Number(t));
    if (skew > this.maxSkewMs) {
      return refuse(403, 'GATEWAY_SIGNATURE_STALE', `the signature is ${Math.round(skew / 1000)} s old; at most ${this.maxSkewMs / 1000} s is accepted`);
    }
    const given = Buffer.from(sig, 'base64url');
    if (given.length !== SIGNATURE_BYTES || !timingSafeEqual(given, mac(this.key, request, t, nonce, context))) {
      return refuse(403, 'GATEWAY_SIGNATURE_INVALID', 'the signature does not match the request');
    }
    this.forgetExpired(now);
    if (this.seenNonces.has(nonce)) {
      return refuse(403, 'GATEWAY_SIGNATURE_REPLAYED', 'this signed request was already received');
    }
    this.seenNonces.add(nonce);
    this.forgetQueue.push({ nonce, expires: Number(t) + this.maxSkewMs });
    let caller: CallerContext;
    try {
      caller = JSON.parse(Buffer.from(context, 'base64url').toString('utf8')) as CallerContext;
    } catch {
      return refuse(401, 'GATEWAY_SIGNATURE_MALFORMED', `${CONTEXT_HEADER} is not base64url JSON`);
    }
    return { ok: true, caller };
  }

  /** How many nonces are remembered (for tests). */
  get remembered(): number {
    return this.seenNonces.size;
  }

  private forgetExpired(now: number): void {
    // Nonces arrive in roughly increasing time, so the oldest come first; one that arrived late
    // behind a younger one is kept a little longer, never forgotten early.
    const queue = this.forgetQueue;
    while (this.head < queue.length && queue[this.head]!.expires < now) {
      this.seenNonces.delete(queue[this.head]!.nonce);
      this.head++;
    }
    // Stryker disable next-line all: equivalent, compaction only bounds the queue's memory; the nonces remembered are the same whenever it runs
    if (this.head > 1024 && this.head * 2 > queue.length) {
      this.forgetQueue = queue.slice(this.head);
      this.head = 0;
    }
  }
}

/**
 * The signature of a request: HMAC-SHA256 over the scheme, method, path, timestamp, nonce and
 * caller context, one per line, then the body. None of the lines can hold a line break (the
 * context is base64url), so no two requests have the same input.
 */
function mac(key: Buffer, request: SignedRequestParts, t: string, nonce: string, context: string): Buffer {
  return createHmac('sha256', key).update(`${SCHEME}\n${request.method.toUpperCase()}\n${request.path}\n${t}\n${nonce}\n${context}\n`).update(request.body).digest();
}

function refuse(status: 401 | 403, code: SignatureRefusal['code'], message: string): SignatureRefusal {
  return { ok: false, status, code, message };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
