/**
 * How subgraphs know a request comes from the gateway: the gateway signs each request it
 * forwards — method, path, body digest, the caller context it derived from the verified token, a
 * timestamp and a one-time nonce — with its Ed25519 key; subgraphs hold only the public key, so a
 * compromised subgraph cannot forge requests to the others. A subgraph refuses, before touching
 * its database, any request that is unsigned, stale, replayed or altered.
 */
import { createHash, randomBytes, sign, verify, type KeyObject } from 'node:crypto';

/** Header carrying `t=<unix ms>,n=<nonce>,sig=<base64url Ed25519 signature>`. */
export const SIGNATURE_HEADER = 'x-meg-signature';
/** Header carrying the caller context as base64url JSON. */
export const CONTEXT_HEADER = 'x-meg-context';

const SCHEME = 'MEG-GATEWAY-SIG-1';

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
}

/** What is signed of a request. */
export interface SignedRequestParts {
  readonly method: string;
  readonly path: string;
  readonly body: string | Buffer;
}

/** The headers to add to a request so that subgraphs accept it. */
export function signRequest(
  privateKey: KeyObject,
  request: SignedRequestParts,
  caller: CallerContext,
  now: number = Date.now(),
): Record<string, string> {
  return signEncodedRequest(privateKey, request, encodeCallerContext(caller), now);
}

/** The caller context as it travels in {@link CONTEXT_HEADER}. */
export function encodeCallerContext(caller: CallerContext): string {
  return Buffer.from(JSON.stringify(caller)).toString('base64url');
}

/** {@link signRequest} for a caller context already encoded for its header. */
export function signEncodedRequest(
  privateKey: KeyObject,
  request: SignedRequestParts,
  context: string,
  now: number = Date.now(),
): Record<string, string> {
  const nonce = randomBytes(16).toString('base64url');
  const signature = sign(null, Buffer.from(canonical(request, String(now), nonce, context)), privateKey);
  return {
    [SIGNATURE_HEADER]: `t=${now},n=${nonce},sig=${signature.toString('base64url')}`,
    [CONTEXT_HEADER]: context,
  };
}

/** Why a request was refused; `status` is the HTTP status to answer with. */
export interface SignatureRefusal {
  readonly ok: false;
  readonly status: 401 | 403;
  readonly code:
    | 'GATEWAY_SIGNATURE_REQUIRED'
    | 'GATEWAY_SIGNATURE_MALFORMED'
    | 'GATEWAY_SIGNATURE_STALE'
    | 'GATEWAY_SIGNATURE_INVALID'
    | 'GATEWAY_SIGNATURE_REPLAYED';
  readonly message: string;
}

/** Options of {@link SignatureVerifier}. */
export interface SignatureVerifierOptions {
  /** How far a signature's timestamp may be from the subgraph's clock; default 30 s. */
  readonly maxSkewMs?: number;
}

/** Checks gateway signatures and remembers nonces for as long as their signatures are fresh. */
export class SignatureVerifier {
  private readonly maxSkewMs: number;
  private readonly seenNonces = new Map<string, number>();

  constructor(
    private readonly publicKey: KeyObject,
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
    const parts = new Map(
      header.split(',').map((p) => {
        const i = p.indexOf('=');
        return [p.slice(0, i).trim(), p.slice(i + 1).trim()] as const;
      }),
    );
    const t = parts.get('t');
    const nonce = parts.get('n');
    const sig = parts.get('sig');
    if (!t || !/^\d{1,16}$/.test(t) || !nonce || !sig) {
      return refuse(401, 'GATEWAY_SIGNATURE_MALFORMED', `${SIGNATURE_HEADER} must be t=<ms>,n=<nonce>,sig=<signature>`);
    }
    const skew = Math.abs(now - Number(t));
    if (skew > this.maxSkewMs) {
      return refuse(403, 'GATEWAY_SIGNATURE_STALE', `the signature is ${Math.round(skew / 1000)} s old; at most ${this.maxSkewMs / 1000} s is accepted`);
    }
    const valid = verify(null, Buffer.from(canonical(request, t, nonce, context)), this.publicKey, Buffer.from(sig, 'base64url'));
    if (!valid) {
      return refuse(403, 'GATEWAY_SIGNATURE_INVALID', 'the signature does not match the request');
    }
    this.forgetExpired(now);
    if (this.seenNonces.has(nonce)) {
      return refuse(403, 'GATEWAY_SIGNATURE_REPLAYED', 'this signed request was already received');
    }
    this.seenNonces.set(nonce, Number(t) + this.maxSkewMs);
    let caller: CallerContext;
    try {
      caller = JSON.parse(Buffer.from(context, 'base64url').toString('utf8')) as CallerContext;
    } catch {
      return refuse(401, 'GATEWAY_SIGNATURE_MALFORMED', `${CONTEXT_HEADER} is not base64url JSON`);
    }
    return { ok: true, caller };
  }

  private forgetExpired(now: number): void {
    // Nonces are inserted in roughly increasing time, so the oldest come first.
    for (const [nonce, expires] of this.seenNonces) {
      if (expires >= now) break;
      this.seenNonces.delete(nonce);
    }
  }
}

function canonical(request: SignedRequestParts, t: string, nonce: string, context: string): string {
  const digest = createHash('sha256').update(request.body).digest('base64url');
  return [SCHEME, request.method.toUpperCase(), request.path, t, nonce, digest, context].join('\n');
}

function refuse(status: 401 | 403, code: SignatureRefusal['code'], message: string): SignatureRefusal {
  return { ok: false, status, code, message };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
