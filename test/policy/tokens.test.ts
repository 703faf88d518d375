/** Who may call: token verification and purpose declaration, attacked from outside. */
import { createHmac, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { projectRoot } from '../../platform/config/projectRoot.js';
import { CALLERS, headersFor } from '../support/callers.js';
import { graphql } from '../support/graphql.js';
import { forgeToken, issuerOf, unsignedToken, type TokenChange } from '../support/tokens.js';

const federation = inject('federation');
const QUERY = '{ searchEnterprises(first: 1) { edges { node { uscc } } } }';
const claims = CALLERS.taxOfficer.claims;

let issuer: { key: KeyObject; kid: string };
beforeAll(async () => {
  issuer = await issuerOf(federation);
});

/** A token like the issuer's, with some part changed. */
const token = (change: TokenChange = {}) => forgeToken(issuer, claims, change);

/** Calls with this Authorization (or none) and purpose (null: no x-purpose header). */
async function call(authorization: string | null, purpose: string | null = 'TAX_ADMINISTRATION') {
  const headers: Record<string, string> = {};
  if (authorization !== null) headers['authorization'] = authorization;
  if (purpose !== null) headers['x-purpose'] = purpose;
  return graphql(federation.gatewayUrl, QUERY, undefined, headers);
}

describe('tokens', () => {
  it('accepts a token of the issuer that grants the declared purpose', async () => {
    const res = await call(`Bearer ${await token()}`);
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
  });

  it.each([
    ['expired', () => token({ iat: Math.floor(Date.now() / 1000) - 7200, nbf: Math.floor(Date.now() / 1000) - 7200, exp: Math.floor(Date.now() / 1000) - 3600 }), 'the token has expired'],
    ['not yet valid', () => token({ nbf: Math.floor(Date.now() / 1000) + 3600 }), 'the token is not valid yet'],
    ['from another issuer', () => token({ iss: 'someone-else' }), 'the token was not issued by meg-dev-issuer'],
    ['for another audience', () => token({ aud: 'another-service' }), 'the token is not meant for this service (audience must be market-entity-graph)'],
    ['signed by another key under our key id', () => token({ key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey }), 'the token signature is invalid'],
    ['naming an unknown key', () => token({ header: { kid: 'someone-elses-key' } }), 'the token names a key this gateway does not know'],
    ['naming a key by URL', () => token({ header: { kid: 'https://attacker.example/keys.json', jku: 'https://attacker.example/keys.json' } }), 'the token names a key this gateway does not know'],
    ['of another kind (an ID token)', () => token({ header: { typ: 'JWT' } }), 'the token is not an access token (typ must be at+jwt)'],
    [
      'with alg none',
      async () =>
        unsignedToken(
          { alg: 'none', typ: 'at+jwt', kid: issuer.kid },
          {
            sub: 'x',
            agency: 'TAX',
            roles: ['officer'],
            purposes: ['TAX_ADMINISTRATION'],
            iss: 'meg-dev-issuer',
            aud: 'market-entity-graph',
            exp: Math.floor(Date.now() / 1000) + 600,
            iat: Math.floor(Date.now() / 1000),
          },
        ),
      'the token is signed with none; only ES256 is accepted',
    ],
    [
      'HMAC-signed with the public key as secret (algorithm confusion)',
      async () => {
        const publicPem = createPublicKey(issuer.key).export({ type: 'spki', format: 'pem' });
        const part = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
        const now = Math.floor(Date.now() / 1000);
        const body = `${part({ alg: 'HS256', typ: 'at+jwt', kid: issuer.kid })}.${part({ sub: 'x', agency: 'TAX', roles: ['officer'], purposes: ['TAX_ADMINISTRATION'], iss: 'meg-dev-issuer', aud: 'market-entity-graph', exp: now + 600, iat: now })}`;
        return `${body}.${createHmac('sha256', publicPem).update(body).digest('base64url')}`;
      },
      'the token is signed with HS256; only ES256 is accepted',
    ],
    [
      'with a tampered payload',
      async () => {
        const [h, , s] = (await token()).split('.');
        const forged = Buffer.from(
          JSON.stringify({ sub: 'x', agency: 'TAX', roles: ['officer', 'auditor'], purposes: ['TAX_ADMINISTRATION'], iss: 'meg-dev-issuer', aud: 'market-entity-graph', exp: 9_999_999_999, iat: 1 }),
        ).toString('base64url');
        return `${h}.${forged}.${s}`;
      },
      'the token signature is invalid',
    ],
    [
      'RS256-signed by a key of the caller’s own (algorithm confusion)',
      () => token({ header: { alg: 'RS256' }, key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey }),
      'the token is signed with RS256; only ES256 is accepted',
    ],
    ['naming a key by a path', () => token({ header: { kid: '../../../../etc/passwd' } }), 'the token names a key this gateway does not know'],
    ['naming a key by an injection', () => token({ header: { kid: "' OR '1'='1" } }), 'the token names a key this gateway does not know'],
    ['that is not a JWT', async () => 'not-a-token', 'the token is malformed'],
    ['granting a purpose that does not exist', () => token({ claims: { purposes: ['TAX_ADMINISTRATION', 'ANYTHING'] } }), 'the token grants purposes that do not exist: ANYTHING'],
    ['without an agency', () => token({ claims: { agency: 'tax bureau' } }), 'the token has no valid agency claim (an upper-case code such as TAX or PROCUREMENT_CENTRE)'],
  ])('refuses a token %s with 401 and the reason', async (_what, make, reason) => {
    const res = await call(`Bearer ${await make()}`);
    expect(res.status).toBe(401);
    expect(res.body).toEqual({ errors: [{ message: reason, extensions: { code: 'UNAUTHENTICATED' } }] });
    expect(res.headers.get('www-authenticate')).toContain('Bearer error="invalid_token"');
  });

  it('never fetches anything a token points at', async () => {
    // A listener standing in for an attacker's key server: no request may ever reach it.
    const hits: string[] = [];
    const server = createServer((req, res) => {
      hits.push(req.url ?? '');
      res.end('{}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address() as AddressInfo;
    const url = `http://127.0.0.1:${address.port}/jwks.json`;
    try {
      // The token is judged on its own: accepted under our key id whatever else it names, refused
      // under a key id that is a URL, and never fetched.
      const cases: [Record<string, unknown>, number][] = [
        [{ jku: url }, 200],
        [{ x5u: url }, 200],
        [{ kid: url }, 401],
        [{ jwk: { kty: 'EC', crv: 'P-256', x: 'x', y: 'y' }, jku: url }, 200],
      ];
      for (const [header, status] of cases) {
        const res = await call(`Bearer ${await token({ header })}`);
        expect(res.status, JSON.stringify(header)).toBe(status);
      }
      await new Promise((r) => setTimeout(r, 200));
      expect(hits).toEqual([]);
    } finally {
      server.close();
    }
  });

  it('refuses an Authorization header that is not a bearer token', async () => {
    const res = await call('Basic dXNlcjpwYXNz');
    expect(res.status).toBe(401);
    expect(res.body.errors![0]!.message).toBe('the Authorization header must be "Bearer <token>"');
  });
});

describe('purposes', () => {
  it('requires a token holder to declare the purpose of the request', async () => {
    const res = await call(`Bearer ${await token()}`, null);
    expect(res.status).toBe(400);
    expect(res.body.errors![0]).toEqual({
      message: 'declare the purpose of this request in the x-purpose header; your token grants TAX_ADMINISTRATION, JOINT_PUNISHMENT',
      extensions: { code: 'PURPOSE_REQUIRED' },
    });
  });

  it('refuses a purpose the token does not grant', async () => {
    const res = await call(`Bearer ${await token()}`, 'PUBLIC_PROCUREMENT');
    expect(res.status).toBe(403);
    expect(res.body.errors![0]).toEqual({
      message: 'your token does not grant the purpose PUBLIC_PROCUREMENT; it grants TAX_ADMINISTRATION, JOINT_PUNISHMENT',
      extensions: { code: 'PURPOSE_NOT_GRANTED' },
    });
  });

  it('refuses a purpose that does not exist, naming those that do', async () => {
    const res = await call(`Bearer ${await token()}`, 'CURIOSITY');
    expect(res.status).toBe(400);
    expect(res.body.errors![0]!.extensions).toEqual({ code: 'UNKNOWN_PURPOSE' });
    expect(res.body.errors![0]!.message).toMatch(/^"CURIOSITY" is not a purpose; declare one of REGISTRATION_REVIEW, JOINT_PUNISHMENT, /);
  });

  it('refuses a purpose declared without a token', async () => {
    const res = await call(null, 'JOINT_PUNISHMENT');
    expect(res.status).toBe(403);
    expect(res.body.errors![0]!.extensions).toEqual({ code: 'PURPOSE_NOT_GRANTED' });
  });

  it('treats a request without a token as the public', async () => {
    const res = await call(null, null);
    expect(res.status).toBe(200);
    expect(res.body.errors).toBeUndefined();
  });

  it('accepts tokens minted with the project command', async () => {
    const minted = execFileSync(
      process.execPath,
      [path.join(projectRoot, 'dist/scripts/token.js'), '--agency', 'TAX', '--roles', 'officer', '--purposes', 'TAX_ADMINISTRATION', '--region', '110000', '--ttl', '5m'],
      { env: { ...process.env, MEG_DATA_DIR: federation.dataDir }, encoding: 'utf8' },
    ).trim();
    expect((await call(`Bearer ${minted}`)).status).toBe(200);
    expect((await graphql(federation.gatewayUrl, QUERY, undefined, await headersFor(federation, CALLERS.procurement))).status).toBe(200);
  });

  it('refuses to mint a token for a purpose that does not exist', () => {
    const run = () =>
      execFileSync(process.execPath, [path.join(projectRoot, 'dist/scripts/token.js'), '--agency', 'TAX', '--purposes', 'GOSSIP'], {
        env: { ...process.env, MEG_DATA_DIR: federation.dataDir },
        stdio: 'pipe',
      });
    expect(run).toThrow(/"GOSSIP" is not a purpose/);
  });
});
