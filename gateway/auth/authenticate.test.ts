import { createPrivateKey, generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import type * as CryptoModule from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createAuthenticator } from './authenticate.js';
import { ensureTokenIssuerKeys, readTokenVerificationKey, TOKEN_ISSUER_KEY_FILE, TOKEN_ISSUER_PUBLIC_KEY_FILE, type TokenVerificationKey } from './tokens.js';

// Counts the token signatures the authenticator checks, to see what its cache of verified tokens saves.
const signatureChecks = vi.hoisted(() => ({ count: 0 }));
vi.mock('node:crypto', async (importOriginal) => {
  const crypto = await importOriginal<typeof CryptoModule>();
  const verify = (...args: unknown[]): unknown => {
    signatureChecks.count++;
    return (crypto.verify as (...a: unknown[]) => unknown)(...args);
  };
  return { ...crypto, verify };
});

const PURPOSE = 'TAX_ADMINISTRATION';
const OTHER_PURPOSE = 'REGISTRATION_REVIEW';
const THIRD_PURPOSE = 'JOINT_PUNISHMENT';
let dir: string;
let verificationKey: TokenVerificationKey;
let issuerKey: KeyObject;

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'meg-auth-'));
  ensureTokenIssuerKeys(dir);
  verificationKey = await readTokenVerificationKey(path.join(dir, TOKEN_ISSUER_PUBLIC_KEY_FILE));
  issuerKey = createPrivateKey(readFileSync(path.join(dir, TOKEN_ISSUER_KEY_FILE), 'utf8'));
});

const authenticator = (clockToleranceSeconds = 30, now?: () => number) =>
  createAuthenticator({ verificationKey, issuer: 'meg-dev-issuer', audience: 'market-entity-graph', purposes: [PURPOSE], clockToleranceSeconds, ...(now ? { now } : {}) });

/** A clock the test sets by hand, in epoch seconds. */
function clock(seconds: number) {
  let at = seconds * 1000;
  return { now: () => at, set: (s: number) => void (at = s * 1000) };
}

const part = (value: unknown) => Buffer.from(JSON.stringify(value)).toString('base64url');

/** A token signed by the issuer's key, with exactly this header and payload. */
function signed(header: Record<string, unknown>, payload: unknown): string {
  const input = `${part({ alg: 'ES256', typ: 'at+jwt', kid: verificationKey.kid, ...header })}.${part(payload)}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: issuerKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

const now = () => Math.floor(Date.now() / 1000);
const claims = (change: Record<string, unknown> = {}) => ({
  sub: 's',
  agency: 'TAX',
  roles: ['officer'],
  purposes: [PURPOSE],
  iss: 'meg-dev-issuer',
  aud: 'market-entity-graph',
  iat: now(),
  exp: now() + 600,
  ...change,
});
const withToken = (token: string) => ({ authorization: `Bearer ${token}`, 'x-purpose': PURPOSE });
const refusal = (message: string) => ({ ok: false, status: 401, code: 'UNAUTHENTICATED', message });

describe('createAuthenticator', () => {
  it('keeps accepting a reused token only until it expires, to the millisecond', async () => {
    const T = 1_800_000_000;
    const time = clock(T);
    const authenticate = authenticator(0, time.now);
    const headers = withToken(signed({}, claims({ iat: T, exp: T + 60 })));
    expect((await authenticate(headers)).ok).toBe(true);
    // Verified once, then served from the cache: that too ends at the expiry.
    time.set(T + 59.999);
    expect((await authenticate(headers)).ok).toBe(true);
    time.set(T + 60);
    expect(await authenticate(headers)).toEqual(refusal('the token has expired'));
  });

  it('tolerates the clock skew it is configured with on the expiry and the start, and not a second more', async () => {
    const T = 1_800_000_000;
    const time = clock(T + 60 + 29);
    const expiring = withToken(signed({}, claims({ iat: T, exp: T + 60 })));
    expect((await authenticator(30, time.now)(expiring)).ok).toBe(true);
    time.set(T + 60 + 30);
    expect(await authenticator(30, time.now)(expiring)).toEqual(refusal('the token has expired'));
    const starting = withToken(signed({}, claims({ iat: T, nbf: T + 100, exp: T + 600 })));
    time.set(T + 70);
    expect((await authenticator(30, time.now)(starting)).ok).toBe(true);
    time.set(T + 69);
    expect(await authenticator(30, time.now)(starting)).toEqual(refusal('the token is not valid yet'));
  });

  it.each([
    ['roles that are not a list', { roles: 'officer' }, 'the token has no valid roles claim (a list of role names)'],
    ['an empty role', { roles: ['officer', ''] }, 'the token has no valid roles claim (a list of role names)'],
    ['more than 64 roles', { roles: Array.from({ length: 65 }, (_, i) => `r${i}`) }, 'the token has no valid roles claim (a list of role names)'],
    ['purposes that are not a list', { purposes: PURPOSE }, 'the token has no valid purposes claim (a list of purposes)'],
    ['a purpose that does not exist', { purposes: [PURPOSE, 'SPYING'] }, 'the token grants purposes that do not exist: SPYING'],
    ['an empty subject', { sub: '' }, 'the token has no valid subject (sub)'],
    ['a subject longer than 256 characters', { sub: 's'.repeat(257) }, 'the token has no valid subject (sub)'],
    ['an agency in lower case', { agency: 'tax' }, 'the token has no valid agency claim (an upper-case code such as TAX or PROCUREMENT_CENTRE)'],
    ['no agency', { agency: undefined }, 'the token has no valid agency claim (an upper-case code such as TAX or PROCUREMENT_CENTRE)'],
    ['a region that is not six digits', { region: '31000' }, 'the token region must be a six-digit GB/T 2260 code'],
    ['a region that is a number', { region: 310000 }, 'the token region must be a six-digit GB/T 2260 code'],
  ])('refuses a token with %s, saying why', async (_what, change, message) => {
    expect(await authenticator()(withToken(signed({}, claims(change))))).toEqual(refusal(message));
  });

  it('takes a blank purpose header for none: a token holder must declare one', async () => {
    const result = await authenticator()({ authorization: `Bearer ${signed({}, claims())}`, 'x-purpose': '   ' });
    expect(result).toEqual({ ok: false, status: 400, code: 'PURPOSE_REQUIRED', message: `declare the purpose of this request in the x-purpose header; your token grants ${PURPOSE}` });
    // Without a token, a blank header is no purpose at all: the public.
    expect(await authenticator()({ 'x-purpose': ' ' })).toMatchObject({ ok: true, purpose: null, principal: { public: true } });
  });

  it('accepts the typ with its media-type prefix and an audience list that names this service', async () => {
    const result = await authenticator()(withToken(signed({ typ: 'application/AT+JWT' }, claims({ aud: ['another-service', 'market-entity-graph'] }))));
    expect(result).toMatchObject({ ok: true, principal: { sub: 's', agency: 'TAX' }, purpose: PURPOSE });
  });

  it.each([
    ['without an expiry', () => signed({}, claims({ exp: undefined })), 'the token has no exp claim'],
    ['without an issue time', () => signed({}, claims({ iat: undefined })), 'the token has no iat claim'],
    ['with an expiry that is not a number', () => signed({}, claims({ exp: String(now() + 600) })), "the token's exp claim is invalid"],
    ['with a start that is not a number', () => signed({}, claims({ nbf: 'now' })), "the token's nbf claim is invalid"],
    ['issued in the future', () => signed({}, claims({ iat: now() + 3600 })), "the token's iat claim is invalid (it is in the future)"],
    ['without a subject', () => signed({}, claims({ sub: undefined })), 'the token has no valid subject (sub)'],
    ['with an audience list that does not name this service', () => signed({}, claims({ aud: ['another-service'] })), 'the token is not meant for this service (audience must be market-entity-graph)'],
    ['with critical header extensions', () => signed({ crit: ['exp'] }, claims()), 'the token uses header extensions this gateway does not support'],
    ['without a typ', () => signed({ typ: undefined }, claims()), 'the token is not an access token (typ must be at+jwt)'],
    ['whose payload is not an object', () => signed({}, ['sub', 's']), 'the token is malformed'],
    ['with a shortened signature', () => signed({}, claims()).slice(0, -4), 'the token signature is invalid'],
    ['with four parts', () => `${signed({}, claims())}.x`, 'the token is malformed'],
    ['with a header that is not JSON', () => `bm90IGpzb24.${signed({}, claims()).split('.').slice(1).join('.')}`, 'the token is malformed'],
  ])('refuses a token %s, saying why', async (_what, make, message) => {
    expect(await authenticator()(withToken(make()))).toEqual(refusal(message));
  });
});

describe('who may ask, and for what', () => {
  const threePurposes = () => createAuthenticator({ verificationKey, issuer: 'meg-dev-issuer', audience: 'market-entity-graph', purposes: [PURPOSE, OTHER_PURPOSE, THIRD_PURPOSE] });

  it('lets a request without a token or a purpose in as the public, who holds no agency, role, region or purpose', async () => {
    expect(await authenticator()({})).toEqual({
      ok: true,
      principal: { sub: 'public', agency: null, roles: [], region: null, purposes: [], public: true },
      purpose: null,
    });
  });

  it('refuses a purpose that does not exist, naming those that do', async () => {
    expect(await threePurposes()({ authorization: `Bearer ${signed({}, claims())}`, 'x-purpose': 'SPYING' })).toEqual({
      ok: false,
      status: 400,
      code: 'UNKNOWN_PURPOSE',
      message: `"SPYING" is not a purpose; declare one of ${PURPOSE}, ${OTHER_PURPOSE}, ${THIRD_PURPOSE}`,
    });
  });

  it('refuses a purpose declared without a token', async () => {
    expect(await authenticator()({ 'x-purpose': PURPOSE })).toEqual({
      ok: false,
      status: 403,
      code: 'PURPOSE_NOT_GRANTED',
      message: 'a purpose can be declared only with a token that grants it; without a token you see published data',
    });
  });

  it('refuses a purpose the token does not grant, naming those it does', async () => {
    const authenticate = threePurposes();
    const grantsTwo = `Bearer ${signed({}, claims({ purposes: [PURPOSE, OTHER_PURPOSE] }))}`;
    expect(await authenticate({ authorization: grantsTwo, 'x-purpose': THIRD_PURPOSE })).toEqual({
      ok: false,
      status: 403,
      code: 'PURPOSE_NOT_GRANTED',
      message: `your token does not grant the purpose ${THIRD_PURPOSE}; it grants ${PURPOSE}, ${OTHER_PURPOSE}`,
    });
    expect(await authenticate({ authorization: grantsTwo })).toEqual({
      ok: false,
      status: 400,
      code: 'PURPOSE_REQUIRED',
      message: `declare the purpose of this request in the x-purpose header; your token grants ${PURPOSE}, ${OTHER_PURPOSE}`,
    });
    const grantsNothing = `Bearer ${signed({}, claims({ purposes: [] }))}`;
    expect(await authenticate({ authorization: grantsNothing, 'x-purpose': PURPOSE })).toEqual({
      ok: false,
      status: 403,
      code: 'PURPOSE_NOT_GRANTED',
      message: `your token does not grant the purpose ${PURPOSE}; it grants no purpose`,
    });
    expect(await authenticate({ authorization: grantsNothing })).toEqual({
      ok: false,
      status: 400,
      code: 'PURPOSE_REQUIRED',
      message: 'declare the purpose of this request in the x-purpose header; your token grants no purpose',
    });
  });

  it('lets a token holder in with the purpose declared, as exactly the principal the token names', async () => {
    const authenticate = threePurposes();
    const token = signed({}, claims({ purposes: [PURPOSE, OTHER_PURPOSE], region: '310000' }));
    expect(await authenticate({ authorization: `Bearer ${token}`, 'x-purpose': OTHER_PURPOSE })).toEqual({
      ok: true,
      principal: { sub: 's', agency: 'TAX', roles: ['officer'], purposes: [PURPOSE, OTHER_PURPOSE], region: '310000', public: false },
      purpose: OTHER_PURPOSE,
    });
    // Without a region the token holder's remit is the whole country.
    expect(await authenticate(withToken(signed({}, claims())))).toEqual({
      ok: true,
      principal: { sub: 's', agency: 'TAX', roles: ['officer'], purposes: [PURPOSE], region: null, public: false },
      purpose: PURPOSE,
    });
  });

  it('takes the Authorization header with white space around it', async () => {
    expect(await authenticator()({ authorization: `  Bearer ${signed({}, claims())} `, 'x-purpose': PURPOSE })).toMatchObject({ ok: true, purpose: PURPOSE });
  });

  it.each([
    ['another scheme', () => 'Basic dXNlcjpwYXNzd29yZA=='],
    ['the scheme alone', () => 'Bearer'],
    ['the scheme twice', () => `Bearer Bearer ${signed({}, claims())}`],
    ['two tokens', () => `Bearer ${signed({}, claims())}, Bearer ${signed({}, claims())}`],
    ['something after the token', () => `Bearer ${signed({}, claims())} please`],
  ])('refuses an Authorization header with %s', async (_what, header) => {
    expect(await authenticator()({ authorization: header(), 'x-purpose': PURPOSE })).toEqual(refusal('the Authorization header must be "Bearer <token>"'));
  });
});

describe('what a token must be', () => {
  it.each([
    ['signed with HMAC', () => signed({ alg: 'HS256' }, claims()), 'the token is signed with HS256; only ES256 is accepted'],
    ['not signed at all', () => signed({ alg: 'none' }, claims()), 'the token is signed with none; only ES256 is accepted'],
    ['naming another key', () => signed({ kid: 'another-key' }, claims()), 'the token names a key this gateway does not know'],
    ['with an unencoded payload (RFC 7797)', () => signed({ b64: false }, claims()), 'the token uses header extensions this gateway does not support'],
    ['typed as a plain JWT, as an ID token is', () => signed({ typ: 'JWT' }, claims()), 'the token is not an access token (typ must be at+jwt)'],
    ['with a forged signature of the right length', () => `${signed({}, claims()).split('.').slice(0, 2).join('.')}.${Buffer.alloc(64).toString('base64url')}`, 'the token signature is invalid'],
    ['whose header is null', () => `${part(null)}.${signed({}, claims()).split('.').slice(1).join('.')}`, 'the token is malformed'],
    ['whose payload is null', () => signed({}, null), 'the token is malformed'],
    ['whose payload is a string', () => signed({}, 'sub'), 'the token is malformed'],
    // Node's base64url decoder skips what it cannot read: such a token is refused however signed.
    ['whose header is padded with "="', () => signedParts(`${part({ alg: 'ES256', typ: 'at+jwt', kid: verificationKey.kid })}=`, part(claims())), 'the Authorization header must be "Bearer <token>"'],
    [
      'whose payload starts with a character outside base64url',
      () => signedParts(part({ alg: 'ES256', typ: 'at+jwt', kid: verificationKey.kid }), `*${part(claims())}`),
      'the Authorization header must be "Bearer <token>"',
    ],
    ['whose payload is empty', () => signedParts(part({ alg: 'ES256', typ: 'at+jwt', kid: verificationKey.kid }), ''), 'the token is malformed'],
    ['from another issuer', () => signed({}, claims({ iss: 'someone-else' })), 'the token was not issued by meg-dev-issuer'],
    ['without an audience', () => signed({}, claims({ aud: undefined })), 'the token is not meant for this service (audience must be market-entity-graph)'],
    ['whose expiry overflows to Infinity', () => signedRaw({}, JSON.stringify(claims({ exp: 0 })).replace('"exp":0', '"exp":1e400')), "the token's exp claim is invalid"],
    ['whose agency is a list', () => signed({}, claims({ agency: ['TAX'] })), 'the token has no valid agency claim (an upper-case code such as TAX or PROCUREMENT_CENTRE)'],
    ['whose agency starts in lower case', () => signed({}, claims({ agency: 'tTAX' })), 'the token has no valid agency claim (an upper-case code such as TAX or PROCUREMENT_CENTRE)'],
    ['whose agency ends with a hyphen', () => signed({}, claims({ agency: 'TAX-' })), 'the token has no valid agency claim (an upper-case code such as TAX or PROCUREMENT_CENTRE)'],
    ['whose region has seven digits', () => signed({}, claims({ region: '3100001' })), 'the token region must be a six-digit GB/T 2260 code'],
    ['whose roles hold a list', () => signed({}, claims({ roles: [['officer']] })), 'the token has no valid roles claim (a list of role names)'],
    ['with a role longer than 64 characters', () => signed({}, claims({ roles: ['r'.repeat(65)] })), 'the token has no valid roles claim (a list of role names)'],
    ['granting purposes that do not exist', () => signed({}, claims({ purposes: ['SPYING', 'SELLING'] })), 'the token grants purposes that do not exist: SPYING, SELLING'],
  ])('refuses a token %s, saying why', async (_what, make, message) => {
    expect(await authenticator()(withToken(make()))).toEqual(refusal(message));
  });

  it('accepts a subject of 256 characters, 64 roles and a role of 64 characters', async () => {
    const token = signed({}, claims({ sub: 's'.repeat(256), roles: [...Array.from({ length: 63 }, (_, i) => `r${i}`), 'r'.repeat(64)] }));
    expect(await authenticator()(withToken(token))).toMatchObject({ ok: true, principal: { sub: 's'.repeat(256) } });
  });

  it.each([
    ['an Ed25519 key', () => generateKeyPairSync('ed25519').publicKey, 'the token verification key is a ed25519 key, not a P-256 key; tokens are verified with ES256'],
    ['a P-384 key', () => generateKeyPairSync('ec', { namedCurve: 'secp384r1' }).publicKey, 'the token verification key is a ec key, not a P-256 key; tokens are verified with ES256'],
  ])('will not start with %s to verify tokens: a misconfigured gateway fails closed', (_what, key, message) => {
    expect(() => createAuthenticator({ verificationKey: { key: key(), kid: verificationKey.kid }, issuer: 'meg-dev-issuer', audience: 'market-entity-graph', purposes: [PURPOSE] })).toThrow(message);
  });

  it('tolerates 30 seconds of clock skew unless told otherwise', async () => {
    const T = 1_800_000_000;
    const time = clock(T + 60 + 29);
    const authenticate = createAuthenticator({ verificationKey, issuer: 'meg-dev-issuer', audience: 'market-entity-graph', purposes: [PURPOSE], now: time.now });
    const headers = withToken(signed({}, claims({ iat: T, exp: T + 60 })));
    expect((await authenticate(headers)).ok).toBe(true);
    time.set(T + 60 + 30);
    expect(await authenticate(headers)).toEqual(refusal('the token has expired'));
  });
});

describe('the cache of verified tokens', () => {
  const T = 1_800_000_000;
  beforeEach(() => {
    signatureChecks.count = 0;
  });

  it('checks a reused token once, serves it from memory while it is valid, clock skew included, and checks it again once expired', async () => {
    const time = clock(T);
    const authenticate = authenticator(10, time.now);
    const headers = withToken(signed({}, claims({ iat: T, exp: T + 60 })));
    expect((await authenticate(headers)).ok).toBe(true);
    time.set(T + 69.999);
    expect((await authenticate(headers)).ok).toBe(true);
    expect(signatureChecks.count).toBe(1);
    time.set(T + 70);
    expect(await authenticate(headers)).toEqual(refusal('the token has expired'));
    expect(signatureChecks.count).toBe(2);
  });

  it('refuses a remembered token once the clock is set back before its start, as a fresh check would', async () => {
    const time = clock(T + 100);
    const authenticate = authenticator(30, time.now);
    const headers = withToken(signed({}, claims({ iat: T, nbf: T + 100, exp: T + 600 })));
    expect((await authenticate(headers)).ok).toBe(true);
    time.set(T + 70);
    expect((await authenticate(headers)).ok).toBe(true);
    expect(signatureChecks.count).toBe(1);
    time.set(T + 69);
    expect(await authenticate(headers)).toEqual(refusal('the token is not valid yet'));
  });

  it('remembers at most 10,000 tokens, forgetting the oldest first', async () => {
    const authenticate = authenticator(30, clock(T).now);
    const tokens = manyTokens(T);
    for (const token of tokens.slice(0, 10_000)) expect((await authenticate(withToken(token))).ok).toBe(true);
    expect(signatureChecks.count).toBe(10_000);
    // Full, and the oldest still remembered.
    expect((await authenticate(withToken(tokens[0]!))).ok).toBe(true);
    expect(signatureChecks.count).toBe(10_000);
    // One more pushes the oldest out: it is checked again; the newest is not.
    expect((await authenticate(withToken(tokens[10_000]!))).ok).toBe(true);
    expect((await authenticate(withToken(tokens[10_000]!))).ok).toBe(true);
    expect((await authenticate(withToken(tokens[0]!))).ok).toBe(true);
    expect(signatureChecks.count).toBe(10_002);
  });

  it('gives no place to a refused token, and takes back the place of one that expired', async () => {
    const time = clock(T);
    const authenticate = authenticator(0, time.now);
    const tokens = manyTokens(T);
    expect((await authenticate(withToken(tokens[0]!))).ok).toBe(true);
    // 10,000 refused tokens push nothing out.
    for (let i = 0; i < 10_000; i++) expect((await authenticate(withToken(signed({ kid: `unknown-${i}` }, claims())))).ok).toBe(false);
    expect((await authenticate(withToken(tokens[0]!))).ok).toBe(true);
    expect(signatureChecks.count).toBe(1);
    // A token that expired while remembered leaves: the cache holds 9,999 and takes one more
    // without forgetting the oldest.
    const shortLived = withToken(signed({}, claims({ sub: 'short-lived', iat: T, exp: T + 1 })));
    expect((await authenticate(shortLived)).ok).toBe(true);
    for (const token of tokens.slice(1, 9_999)) expect((await authenticate(withToken(token))).ok).toBe(true);
    time.set(T + 1);
    expect(await authenticate(shortLived)).toEqual(refusal('the token has expired'));
    expect((await authenticate(withToken(tokens[9_999]!))).ok).toBe(true);
    signatureChecks.count = 0;
    expect((await authenticate(withToken(tokens[0]!))).ok).toBe(true);
    expect(signatureChecks.count).toBe(0);
  });
});

/** A token signed by the issuer's key with this exact payload text. */
/** A token signed by the issuer's key over exactly these encoded parts. */
function signedParts(encodedHeader: string, encodedPayload: string): string {
  const input = `${encodedHeader}.${encodedPayload}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: issuerKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

function signedRaw(header: Record<string, unknown>, payload: string): string {
  const input = `${part({ alg: 'ES256', typ: 'at+jwt', kid: verificationKey.kid, ...header })}.${Buffer.from(payload).toString('base64url')}`;
  return `${input}.${sign('sha256', Buffer.from(input), { key: issuerKey, dsaEncoding: 'ieee-p1363' }).toString('base64url')}`;
}

let many: string[] | undefined;
/** 10,001 valid tokens of different subjects, issued at `T` for an hour (signed once per file). */
function manyTokens(T: number): string[] {
  many ??= Array.from({ length: 10_001 }, (_, i) => signed({}, claims({ sub: `officer-${i}`, iat: T, exp: T + 3600 })));
  return many;
}
