import { createPrivateKey, sign, type KeyObject } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { createAuthenticator } from './authenticate.js';
import { ensureTokenIssuerKeys, mintToken, readTokenVerificationKey, TOKEN_ISSUER_KEY_FILE, TOKEN_ISSUER_PUBLIC_KEY_FILE, type TokenVerificationKey } from './tokens.js';

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

const authenticator = (clockToleranceSeconds = 30) =>
  createAuthenticator({ verificationKey, issuer: 'meg-dev-issuer', audience: 'market-entity-graph', purposes: [PURPOSE], clockToleranceSeconds });

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
  it('keeps accepting a reused token only until it expires', async () => {
    const authenticate = authenticator(0);
    const token = await mintToken({ sub: 's', agency: 'TAX', roles: ['officer'], purposes: [PURPOSE] }, { issuerKeyFile: path.join(dir, TOKEN_ISSUER_KEY_FILE), ttlSeconds: 1 });
    const headers = withToken(token);
    expect((await authenticate(headers)).ok).toBe(true);
    expect((await authenticate(headers)).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 2_100));
    expect(await authenticate(headers)).toEqual(refusal('the token has expired'));
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
