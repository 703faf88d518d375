import { mkdtempSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { createAuthenticator } from './authenticate.js';
import { ensureTokenIssuerKeys, mintToken, readTokenVerificationKey, TOKEN_ISSUER_KEY_FILE, TOKEN_ISSUER_PUBLIC_KEY_FILE } from './tokens.js';

describe('createAuthenticator', () => {
  it('keeps accepting a reused token only until it expires', async () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), 'meg-auth-'));
    ensureTokenIssuerKeys(dir);
    const authenticate = createAuthenticator({
      verificationKey: await readTokenVerificationKey(path.join(dir, TOKEN_ISSUER_PUBLIC_KEY_FILE)),
      issuer: 'meg-dev-issuer',
      audience: 'market-entity-graph',
      purposes: ['TAX_ADMINISTRATION'],
      clockToleranceSeconds: 0,
    });
    const token = await mintToken({ sub: 's', agency: 'TAX', roles: ['officer'], purposes: ['TAX_ADMINISTRATION'] }, { issuerKeyFile: path.join(dir, TOKEN_ISSUER_KEY_FILE), ttlSeconds: 1 });
    const headers = { authorization: `Bearer ${token}`, 'x-purpose': 'TAX_ADMINISTRATION' };
    expect((await authenticate(headers)).ok).toBe(true);
    expect((await authenticate(headers)).ok).toBe(true);
    await new Promise((r) => setTimeout(r, 2_100));
    expect(await authenticate(headers)).toEqual({ ok: false, status: 401, code: 'UNAUTHENTICATED', message: 'the token has expired' });
  });
});
