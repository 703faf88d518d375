/**
 * The first step of the gateway's pipeline: who is asking, and for what. A request without a
 * token is the public principal; a request with a token must carry a valid one and declare in
 * `x-purpose` one of the purposes the token grants. Every refusal says why, never how.
 */
import { verify as verifySignature, type KeyObject } from 'node:crypto';
import type { Principal } from '../policy/accessPolicy.js';
import { TOKEN_ALGORITHM, TOKEN_TYPE, type TokenVerificationKey } from './tokens.js';

/** Header in which a request declares its purpose. */
export const PURPOSE_HEADER = 'x-purpose';

/** An authenticated request: the principal and the purpose it declared (null for the public). */
export interface Authenticated {
  readonly ok: true;
  readonly principal: Principal;
  readonly purpose: string | null;
}

/** A refused request, with the HTTP status, the error code and a reason for the caller. */
export interface Refused {
  readonly ok: false;
  readonly status: 400 | 401 | 403;
  readonly code: 'UNAUTHENTICATED' | 'PURPOSE_REQUIRED' | 'PURPOSE_NOT_GRANTED' | 'UNKNOWN_PURPOSE';
  readonly message: string;
}

/** Options of {@link createAuthenticator}. */
export interface AuthenticatorOptions {
  readonly verificationKey: TokenVerificationKey;
  readonly issuer: string;
  readonly audience: string;
  /** Every purpose a request may declare (the schema's Purpose enum). */
  readonly purposes: readonly string[];
  /** Clock skew tolerated on exp and nbf, in seconds. */
  readonly clockToleranceSeconds?: number;
  /** The clock, in epoch milliseconds (tests inject one). */
  readonly now?: () => number;
}

/** The public principal: no token, published data only. */
export const PUBLIC_PRINCIPAL: Principal = Object.freeze({
  sub: 'public',
  agency: null,
  roles: [],
  region: null,
  purposes: [],
  public: true,
});

const AGENCY_PATTERN = /^[A-Z][A-Z0-9_]{1,47}$/;
const REGION_PATTERN = /^\d{6}$/;

/** Verified tokens kept, so a caller that reuses its token is not verified again on every request. */
const VERIFIED_CACHE_SIZE = 10_000;

/** Makes the authenticator of the gateway. */
export function createAuthenticator(options: AuthenticatorOptions): (headers: Readonly<Record<string, string | string[] | undefined>>) => Promise<Authenticated | Refused> {
  const { key } = options.verificationKey;
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    // A gateway that cannot verify ES256 must not start, rather than refuse every token as forged.
    throw new Error(`the token verification key is a ${key.asymmetricKeyType} key, not a P-256 key; tokens are verified with ES256`);
  }
  const known = new Set(options.purposes);
  // A token verified once stays valid until it expires: signature, issuer and audience cannot change.
  const verified = new Map<string, { principal: Principal; notBefore: number; expires: number }>();
  const clock = options.now ?? Date.now;
  const verifyCached = (token: string): { principal: Principal } | { message: string } => {
    const now = clock() / 1000;
    const tolerance = options.clockToleranceSeconds ?? 30;
    const hit = verified.get(token);
    if (hit && now - tolerance < hit.expires && now + tolerance >= hit.notBefore) return { principal: hit.principal };
    verified.delete(token);
    const result = verify(token, options);
    if ('principal' in result) {
      verified.set(token, { principal: result.principal, notBefore: result.notBefore, expires: result.expires });
      if (verified.size > VERIFIED_CACHE_SIZE) verified.delete(verified.keys().next().value!);
    }
    return result;
  };
  return async (headers) => {
    const authorization = single(headers['authorization']);
    const purpose = single(headers[PURPOSE_HEADER])?.trim() || null;
    if (purpose !== null && !known.has(purpose)) {
      return refuse(400, 'UNKNOWN_PURPOSE', `"${purpose}" is not a purpose; declare one of ${[...known].join(', ')}`);
    }
    if (authorization === undefined) {
      if (purpose !== null) {
        return refuse(403, 'PURPOSE_NOT_GRANTED', `a purpose can be declared only with a token that grants it; without a token you see published data`);
      }
      return { ok: true, principal: PUBLIC_PRINCIPAL, purpose: null };
    }
    const match = /^Bearer ([A-Za-z0-9_\-.]+)$/.exec(authorization.trim());
    if (!match) return unauthenticated('the Authorization header must be "Bearer <token>"');
    const outcome = verifyCached(match[1]!);
    if ('message' in outcome) return unauthenticated(outcome.message);
    const principal = outcome.principal;
    if (purpose === null) {
      return refuse(400, 'PURPOSE_REQUIRED', `declare the purpose of this request in the ${PURPOSE_HEADER} header; your token grants ${principal.purposes.join(', ') || 'no purpose'}`);
    }
    if (!principal.purposes.includes(purpose)) {
      return refuse(403, 'PURPOSE_NOT_GRANTED', `your token does not grant the purpose ${purpose}; it grants ${principal.purposes.join(', ') || 'no purpose'}`);
    }
    return { ok: true, principal, purpose };
  };
}

/**
 * Verifies a compact JWS access token (RFC 9068) and its claims, synchronously with node:crypto:
 * the asynchronous WebCrypto path costs a thread-pool round trip and about 60 µs more CPU per
 * token, and every request of a busy gateway carries another token. The header is checked before
 * the signature (algorithm, key id, no critical extensions) and nothing of the payload is read
 * before the signature is verified.
 */
function verify(token: string, options: AuthenticatorOptions): { principal: Principal; notBefore: number; expires: number } | { message: string } {
  const parts = token.split('.');
  if (parts.length !== 3) return { message: 'the token is malformed' };
  const [encodedHeader, encodedPayload, encodedSignature] = parts as [string, string, string];
  const header = decodeJsonObject(encodedHeader);
  if (header === null) return { message: 'the token is malformed' };
  if (header['alg'] !== TOKEN_ALGORITHM) {
    return { message: `the token is signed with ${String(header['alg'])}; only ${TOKEN_ALGORITHM} is accepted` };
  }
  if (header['kid'] !== options.verificationKey.kid) {
    return { message: 'the token names a key this gateway does not know' };
  }
  if (header['crit'] !== undefined || header['b64'] !== undefined) {
    return { message: 'the token uses header extensions this gateway does not support' };
  }
  if (!signatureValid(`${encodedHeader}.${encodedPayload}`, Buffer.from(encodedSignature, 'base64url'), options.verificationKey.key)) {
    return { message: 'the token signature is invalid' };
  }
  const payload = decodeJsonObject(encodedPayload);
  if (payload === null) return { message: 'the token is malformed' };
  if (typeof header['typ'] !== 'string' || mediaType(header['typ']) !== mediaType(TOKEN_TYPE)) {
    return { message: `the token is not an access token (typ must be ${TOKEN_TYPE})` };
  }
  const claimsProblem = checkRegisteredClaims(payload, options);
  if (claimsProblem !== null) return { message: claimsProblem };
  const claims = claimsToPrincipal(payload, options);
  if ('message' in claims) return claims;
  const iat = payload['iat'] as number;
  return { principal: claims.principal, notBefore: (payload['nbf'] as number | undefined) ?? iat, expires: payload['exp'] as number };
}

/**
 * Whether `signature` is the issuer's ES256 signature of `input` (r and s, 32 bytes each: a
 * signature of any other length is simply not valid).
 */
function signatureValid(input: string, signature: Buffer, key: KeyObject): boolean {
  return verifySignature('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }, signature);
}

/**
 * The registered claims of RFC 7519 as this gateway requires them: its issuer and audience, an
 * issue time, an expiry in the future and, if given, a start in the past (both within the clock
 * tolerance); the subject is read with the other claims of the principal. Null when they hold,
 * else why not.
 */
function checkRegisteredClaims(payload: Record<string, unknown>, options: AuthenticatorOptions): string | null {
  const now = Math.floor((options.now ?? Date.now)() / 1000);
  const tolerance = options.clockToleranceSeconds ?? 30;
  const { iss, aud, exp, nbf, iat } = payload;
  for (const [name, value] of [
    ['exp', exp],
    ['iat', iat],
  ] as const) {
    if (value === undefined) return `the token has no ${name} claim`;
    if (!isNumericDate(value)) return `the token's ${name} claim is invalid`;
  }
  if (iss !== options.issuer) return `the token was not issued by ${options.issuer}`;
  // Stryker disable next-line ArrayDeclaration: equivalent, whatever stands in the list for a missing audience, it is not this service's
  const audiences = typeof aud === 'string' ? [aud] : Array.isArray(aud) ? aud : [];
  if (!audiences.includes(options.audience)) return `the token is not meant for this service (audience must be ${options.audience})`;
  if (nbf !== undefined && !isNumericDate(nbf)) return "the token's nbf claim is invalid";
  if ((exp as number) <= now - tolerance) return 'the token has expired';
  // Stryker disable next-line ConditionalExpression: equivalent, undefined is never greater than a number
  if (nbf !== undefined && nbf > now + tolerance) return 'the token is not valid yet';
  if ((iat as number) > now + tolerance) return "the token's iat claim is invalid (it is in the future)";
  return null;
}

function isNumericDate(value: unknown): value is number {
  return Number.isFinite(value);
}

/** A `typ` as RFC 7515 compares it: case-insensitive, `application/` optional. */
function mediaType(typ: string): string {
  const lower = typ.toLowerCase();
  return lower.startsWith('application/') ? lower.slice('application/'.length) : lower;
}

/**
 * The JSON object of a base64url part, or null when it is not one. Node's decoder skips what is
 * not base64url; the pattern of the Authorization header lets nothing else reach it.
 */
function decodeJsonObject(part: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));
    // Stryker disable next-line ConditionalExpression: equivalent, null let through is returned as the null it is
    return typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

function claimsToPrincipal(payload: Record<string, unknown>, options: AuthenticatorOptions): { principal: Principal } | { message: string } {
  const { sub, agency, roles, purposes, region } = payload;
  if (typeof sub !== 'string' || sub.length === 0 || sub.length > 256) return { message: 'the token has no valid subject (sub)' };
  if (typeof agency !== 'string' || !AGENCY_PATTERN.test(agency)) {
    return { message: 'the token has no valid agency claim (an upper-case code such as TAX or PROCUREMENT_CENTRE)' };
  }
  if (!isStringList(roles)) return { message: 'the token has no valid roles claim (a list of role names)' };
  if (!isStringList(purposes)) return { message: 'the token has no valid purposes claim (a list of purposes)' };
  const unknown = purposes.filter((p) => !options.purposes.includes(p));
  if (unknown.length > 0) return { message: `the token grants purposes that do not exist: ${unknown.join(', ')}` };
  if (region !== undefined && (typeof region !== 'string' || !REGION_PATTERN.test(region))) {
    return { message: 'the token region must be a six-digit GB/T 2260 code' };
  }
  return {
    principal: { sub, agency, roles, purposes, region: region ?? null, public: false },
  };
}

function isStringList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length <= 64 && value.every((v) => typeof v === 'string' && v.length > 0 && v.length <= 64);
}

function unauthenticated(message: string): Refused {
  return refuse(401, 'UNAUTHENTICATED', message);
}

function refuse(status: Refused['status'], code: Refused['code'], message: string): Refused {
  return { ok: false, status, code, message };
}

function single(value: string | string[] | undefined): string | undefined {
  return Array.isArray(value) ? value[0] : value;
}
