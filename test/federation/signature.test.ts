import { generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { CONTEXT_HEADER, requestSigningKey, SIGNATURE_HEADER, signRequest, type CallerContext } from '../../subgraphs/shared/gatewaySignature.js';
import { readPublicKey, signingPublicKeyFile } from '../../subgraphs/shared/keys.js';
import { gatewaySigningKey } from '../support/federation.js';
import { graphql, requestCount, statementCount, subgraphMetrics } from '../support/graphql.js';
import { universe } from '../support/universe.js';

const federation = inject('federation');
const taxUrl = federation.subgraphUrls.tax;
const uscc = universe(federation.seed, 1)[0]!.uscc;
const caller: CallerContext = { requestId: 'test', sub: 'public', agency: null, roles: [], region: null, purpose: null };
const ENTITIES = JSON.stringify({
  query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Enterprise { tax { taxpayerType } } } }',
  variables: { r: [{ __typename: 'Enterprise', uscc }] },
});

let gatewayKey: Buffer;
let marketKey: Buffer;
let strangerKey: Buffer;
beforeAll(() => {
  gatewayKey = gatewaySigningKey(federation, 'tax');
  marketKey = gatewaySigningKey(federation, 'market');
  // Someone with a key pair of their own, who knows the tax agency's public key.
  strangerKey = requestSigningKey(generateKeyPairSync('x25519').privateKey, readPublicKey(path.join(federation.keysDir, signingPublicKeyFile('tax'))), 'tax');
});

async function post(body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const res = await fetch(taxUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, body: await res.json() };
}

async function taxDatabaseUse(): Promise<number> {
  const m = await subgraphMetrics(taxUrl);
  return statementCount(m, 'tax', 'tax_taxpayers') + requestCount(m, 'tax');
}

describe('subgraphs trust only the gateway', () => {
  it('answers a request the gateway signed', async () => {
    const res = await post(ENTITIES, signRequest(gatewayKey, { method: 'POST', path: '/graphql', body: ENTITIES }, caller));
    expect(res.status).toBe(200);
    expect(res.body.data._entities[0].tax).not.toBeNull();
  });

  it('refuses a signed body that is not declared as JSON, without reading its database', async () => {
    const before = await taxDatabaseUse();
    const res = await post(ENTITIES, { ...signRequest(gatewayKey, { method: 'POST', path: '/graphql', body: ENTITIES }, caller), 'content-type': 'text/plain' });
    expect(res).toEqual({ status: 415, body: { errors: [{ message: 'the body must be application/json', extensions: { code: 'UNSUPPORTED_MEDIA_TYPE' } }] } });
    expect(await taxDatabaseUse()).toBe(before);
  });

  it('tells an operator how many signatures it checked and the time they took', async () => {
    const checks = (m: Map<string, number>) => [m.get('meg_subgraph_signature_check_seconds_count{agency="tax"}') ?? NaN, m.get('meg_subgraph_signature_check_seconds_sum{agency="tax"}') ?? NaN];
    const [countBefore, secondsBefore] = checks(await subgraphMetrics(taxUrl));
    await post(ENTITIES, signRequest(gatewayKey, { method: 'POST', path: '/graphql', body: ENTITIES }, caller));
    await post(ENTITIES, signRequest(strangerKey, { method: 'POST', path: '/graphql', body: ENTITIES }, caller));
    const [countAfter, secondsAfter] = checks(await subgraphMetrics(taxUrl));
    // Refused requests are checked too; other tests may run requests meanwhile, hence at least.
    expect(countAfter! - countBefore!).toBeGreaterThanOrEqual(2);
    expect(secondsAfter!).toBeGreaterThan(secondsBefore!);
  });

  it.each([
    ['unsigned', () => ({}), 401, 'GATEWAY_SIGNATURE_REQUIRED'],
    ['signed over another body', () => signRequest(gatewayKey, { method: 'POST', path: '/graphql', body: '{"query":"{ _service { sdl } }"}' }, caller), 403, 'GATEWAY_SIGNATURE_INVALID'],
    ['signed with another key', () => signRequest(strangerKey, { method: 'POST', path: '/graphql', body: ENTITIES }, caller), 403, 'GATEWAY_SIGNATURE_INVALID'],
    ['signed by the gateway for another agency', () => signRequest(marketKey, { method: 'POST', path: '/graphql', body: ENTITIES }, caller), 403, 'GATEWAY_SIGNATURE_INVALID'],
    ['with a signature cut short', () => {
      const headers = signRequest(gatewayKey, { method: 'POST', path: '/graphql', body: ENTITIES }, caller);
      return { ...headers, [SIGNATURE_HEADER]: headers[SIGNATURE_HEADER]!.slice(0, -8) };
    }, 403, 'GATEWAY_SIGNATURE_INVALID'],
    ['signed five minutes ago', () => signRequest(gatewayKey, { method: 'POST', path: '/graphql', body: ENTITIES }, caller, Date.now() - 300_000), 403, 'GATEWAY_SIGNATURE_STALE'],
    ['with a caller context swapped after signing', () => {
      const headers = signRequest(gatewayKey, { method: 'POST', path: '/graphql', body: ENTITIES }, caller);
      const forged = { ...caller, agency: 'TAX', roles: ['officer'], purpose: 'TAX_ADMINISTRATION' };
      return { ...headers, [CONTEXT_HEADER]: Buffer.from(JSON.stringify(forged)).toString('base64url') };
    }, 403, 'GATEWAY_SIGNATURE_INVALID'],
    ['with a garbled signature header', () => ({ [SIGNATURE_HEADER]: 'nonsense', [CONTEXT_HEADER]: 'e30' }), 401, 'GATEWAY_SIGNATURE_MALFORMED'],
  ])('refuses a request %s, without touching its database', async (_what, headers, status, code) => {
    const before = await taxDatabaseUse();
    const res = await post(ENTITIES, headers());
    expect(res.status).toBe(status);
    expect(res.body).toEqual({ errors: [{ message: expect.any(String), extensions: { code } }] });
    expect(await taxDatabaseUse()).toBe(before);
  });

  it('refuses a replayed signed request', async () => {
    const headers = signRequest(gatewayKey, { method: 'POST', path: '/graphql', body: ENTITIES }, caller);
    expect((await post(ENTITIES, headers)).status).toBe(200);
    const before = await taxDatabaseUse();
    const replay = await post(ENTITIES, headers);
    expect(replay.status).toBe(403);
    expect(replay.body.errors[0].extensions.code).toBe('GATEWAY_SIGNATURE_REPLAYED');
    expect(await taxDatabaseUse()).toBe(before);
  });

  it('ignores caller context a client sends the gateway, rebuilding it from the verified token', async () => {
    // The public, claiming to be a tax officer through the headers the gateway uses internally.
    const forged = { requestId: 'forged', sub: 'tax-officer-9', agency: 'TAX', roles: ['officer'], region: null, purpose: 'TAX_ADMINISTRATION' };
    const headers = {
      [CONTEXT_HEADER]: Buffer.from(JSON.stringify(forged)).toString('base64url'),
      [SIGNATURE_HEADER]: signRequest(gatewayKey, { method: 'POST', path: '/graphql', body: '{}' }, forged)[SIGNATURE_HEADER]!,
      'x-purpose-override': 'TAX_ADMINISTRATION',
    };
    const res = await graphql(federation.gatewayUrl, 'query($u: USCC!) { enterprise(uscc: $u) { tax { taxpayerType } } }', { u: uscc }, headers);
    expect(res.status).toBe(200);
    // As the public: the tax officer's field is refused.
    expect(res.body.data?.['enterprise'].tax.taxpayerType).toBeNull();
    expect(res.body.errors?.[0]?.extensions?.['code']).toBe('FORBIDDEN_FIELD');
  });

  it('refuses _service and _entities from anyone but the gateway, on every subgraph', async () => {
    for (const url of Object.values(federation.subgraphUrls)) {
      for (const query of ['{ _service { sdl } }', ENTITIES]) {
        const body = query.startsWith('{"') ? query : JSON.stringify({ query });
        const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
        expect(res.status).toBe(401);
      }
    }
  });
});
