import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator } from './authenticate.js';
import { ensureTokenIssuerKeys, readTokenVerificationKey, TOKEN_ISSUER_KEY_FILE, TOKEN_ISSUER_PUBLIC_KEY_FILE, type TokenVerificationKey } from './tokens.js';

const PURPOSE = 'TAX_ADMINISTRATION';
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
  sub: 's', agency: 'TAX', roles: ['officer'], purposes: [PURPOSE], iss: 'meg-dev-issuer', aud: 'market-entity-graph', iat: now(), exp: now() + 600, ...change,
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
