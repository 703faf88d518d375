/**
 * A battery of attacks for `make reliability`'s figures: forged tokens, operations over the
 * limits, requests that go around the gateway, and the families a hostile tester found
 * (hostileAttacks.ts). Each is tried against a running federation
 * and counted as refused only when it got the refusal it should (status and, where there is one,
 * the error code). The tests of each defence are in test/hardening and test/policy; this tallies.
 */
import { createHmac, createPublicKey, generateKeyPairSync } from 'node:crypto';
import path from 'node:path';
import { requestSigningKey, signRequest } from '../../platform/trust/gatewaySignature.js';
import { readPublicKey, signingPublicKeyFile } from '../../platform/trust/keys.js';
import type { Agency } from '../../platform/domain/agencies.js';
import { CALLERS, headersFor } from './callers.js';
import { gatewaySigningKey, type FederationInfo } from './federation.js';
import { hostileAttacks, type Attack } from './hostileAttacks.js';
import { base64url, forgeToken, issuerOf, unsignedToken, type TokenChange } from './tokens.js';

/** Tried and refused, by kind of attack, with the names of any that got through. */
export type AttackTally = Record<string, { tried: number; refused: number; gotThrough: string[] }>;

export async function runAttacks(federation: FederationInfo, uscc: string): Promise<AttackTally> {
  const attacks = [...(await tokenAttacks(federation)), ...(await limitAttacks(federation, uscc)), ...trustAttacks(federation, uscc), ...(await hostileAttacks(federation))];
  const tally: AttackTally = {};
  for (const attack of attacks) {
    const entry = (tally[attack.kind] ??= { tried: 0, refused: 0, gotThrough: [] });
    entry.tried++;
    let refused = false;
    try {
      refused = await attack.refused();
    } catch (error) {
      entry.gotThrough.push(`${attack.name} (${(error as Error).message})`);
      continue;
    }
    if (refused) entry.refused++;
    else entry.gotThrough.push(attack.name);
  }
  return tally;
}

async function post(url: string, body: string, headers: Record<string, string> = {}): Promise<{ status: number; code: unknown }> {
  const res = await fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  const text = await res.text();
  let code: unknown;
  try {
    code = JSON.parse(text)?.errors?.[0]?.extensions?.code;
  } catch {
    code = undefined;
  }
  return { status: res.status, code };
}

async function tokenAttacks(federation: FederationInfo): Promise<Attack[]> {
  const issuer = await issuerOf(federation);
  const claims = CALLERS.taxOfficer.claims;
  const now = Math.floor(Date.now() / 1000);
  const sign = (change: TokenChange = {}) => forgeToken(issuer, claims, change);
  const payload = { sub: 'x', agency: 'TAX', roles: ['officer'], purposes: ['TAX_ADMINISTRATION'], iss: 'meg-dev-issuer', aud: 'market-entity-graph', exp: now + 600, iat: now };
  const hsBody = `${base64url({ alg: 'HS256', typ: 'at+jwt', kid: issuer.kid })}.${base64url(payload)}`;
  const forged: [string, () => Promise<string>][] = [
    ['alg none', async () => unsignedToken({ alg: 'none', typ: 'at+jwt', kid: issuer.kid }, payload)],
    [
      'HS256 with the public key as secret',
      async () =>
        `${hsBody}.${createHmac('sha256', createPublicKey(issuer.key).export({ type: 'spki', format: 'pem' }))
          .update(hsBody)
          .digest('base64url')}`,
    ],
    ['RS256 with a key of its own', () => sign({ header: { alg: 'RS256' }, key: generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey })],
    ['expired', () => sign({ iat: now - 7200, nbf: now - 7200, exp: now - 3600 })],
    ['not yet valid', () => sign({ nbf: now + 3600 })],
    ['wrong issuer', () => sign({ iss: 'someone-else' })],
    ['wrong audience', () => sign({ aud: 'another-service' })],
    ['another key under our kid', () => sign({ key: generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey })],
    ['unknown kid', () => sign({ header: { kid: 'unknown' } })],
    ['kid as a path', () => sign({ header: { kid: '../../etc/passwd' } })],
    ['kid and jku as URLs', () => sign({ header: { kid: 'http://127.0.0.1:1/keys', jku: 'http://127.0.0.1:1/keys' } })],
    ['an ID token (typ JWT)', () => sign({ header: { typ: 'JWT' } })],
    [
      'tampered payload',
      async () => {
        const [h, , s] = (await sign()).split('.');
        return `${h}.${base64url({ ...payload, roles: ['officer', 'auditor'] })}.${s}`;
      },
    ],
    ['not a JWT', async () => 'garbage'],
  ];
  const query = JSON.stringify({ query: '{ searchEnterprises(first: 1) { edges { node { uscc } } } }' });
  return forged.map(([name, make]) => ({
    kind: 'forged or invalid tokens',
    name,
    refused: async () => (await post(federation.gatewayUrl, query, { authorization: `Bearer ${await make()}`, 'x-purpose': 'TAX_ADMINISTRATION' })).status === 401,
  }));
}

async function limitAttacks(federation: FederationInfo, uscc: string): Promise<Attack[]> {
  const officer = await headersFor(federation, CALLERS.creditSupervisor);
  let deep = 'name';
  for (let i = 0; i < 16; i++) deep = `ofType { ${deep} }`;
  const operations: [string, string, number, string][] = [
    ['depth', `{ __type(name: "Enterprise") { ${deep} } }`, 400, 'DEPTH_LIMIT_EXCEEDED'],
    ['aliases', `{ enterprise(uscc: "${uscc}") { ${Array.from({ length: 40 }, (_, i) => `a${i}: uscc`).join(' ')} } }`, 400, 'ALIAS_LIMIT_EXCEEDED'],
    ['directives', `{ enterprise(uscc: "${uscc}") { ${Array.from({ length: 30 }, () => 'uscc @include(if: true) @skip(if: false)').join(' ')} } }`, 400, 'DIRECTIVE_LIMIT_EXCEEDED'],
    ['tokens', `{ ${'__typename '.repeat(6000)} }`, 400, 'TOKEN_LIMIT_EXCEEDED'],
    [
      'cost',
      '{ searchEnterprises(first: 100) { edges { node { customs { declarations(first: 100) { edges { cursor node { entryNo declaredOn direction hsCode value tradeMode port a: entryNo b: port } } } } } } } }',
      400,
      'COST_LIMIT_EXCEEDED',
    ],
    ['page size', '{ searchEnterprises(first: 5000) { edges { cursor } } }', 400, 'PAGE_SIZE_EXCEEDED'],
    ['introspection as the public', '{ __schema { types { name } } }', 403, 'INTROSPECTION_NOT_ALLOWED'],
    ['_service through the gateway', '{ _service { sdl } }', 400, 'GRAPHQL_VALIDATION_FAILED'],
    ['_entities through the gateway', `{ _entities(representations: [{ __typename: "Enterprise", uscc: "${uscc}" }]) { __typename } }`, 400, 'GRAPHQL_VALIDATION_FAILED'],
    ['field suggestions', `{ enterprise(uscc: "${uscc}") { tx { taxpayerType } } }`, 400, 'GRAPHQL_VALIDATION_FAILED'],
  ];
  const attacks: Attack[] = operations.map(([name, query, status, code]) => ({
    kind: 'operations over the limits',
    name,
    refused: async () => {
      const r = await post(federation.gatewayUrl, JSON.stringify({ query }), name.includes('public') ? {} : officer);
      return r.status === status && r.code === code;
    },
  }));
  attacks.push(
    {
      kind: 'operations over the limits',
      name: 'batched array',
      refused: async () => (await post(federation.gatewayUrl, JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]))).status === 400,
    },
    {
      kind: 'operations over the limits',
      name: 'body over the size limit',
      refused: async () => (await post(federation.gatewayUrl, JSON.stringify({ query: '{ __typename }', pad: 'x'.repeat(2 * 1024 * 1024) }))).status === 413,
    },
    {
      kind: 'operations over the limits',
      name: 'cross-site simple request (CSRF)',
      refused: async () => (await fetch(`${federation.gatewayUrl}?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'content-type': 'text/plain' } })).status === 400,
    },
  );
  return attacks;
}

function trustAttacks(federation: FederationInfo, uscc: string): Attack[] {
  const caller = { requestId: 'attack', sub: 'public', agency: null, roles: [], region: null, purpose: null };
  const entities = JSON.stringify({ query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Enterprise { __typename } } }', variables: { r: [{ __typename: 'Enterprise', uscc }] } });
  const attacks: Attack[] = [];
  const agencies = Object.keys(federation.subgraphUrls) as Agency[];
  for (const [i, agency] of agencies.entries()) {
    const url = federation.subgraphUrls[agency];
    const key = gatewaySigningKey(federation, agency);
    const target = new URL(url);
    const neighbour = agencies[(i + 1) % agencies.length]!;
    attacks.push(
      { kind: 'requests around the gateway', name: `${agency}: _service unsigned`, refused: async () => (await post(url, JSON.stringify({ query: '{ _service { sdl } }' }))).status === 401 },
      { kind: 'requests around the gateway', name: `${agency}: _entities unsigned`, refused: async () => (await post(url, entities)).status === 401 },
      {
        kind: 'requests around the gateway',
        name: `${agency}: signature over another body`,
        refused: async () => (await post(url, entities, signRequest(key, { method: 'POST', path: target.pathname, body: '{}' }, caller))).status === 403,
      },
      {
        kind: 'requests around the gateway',
        name: `${agency}: replayed signature`,
        refused: async () => {
          const headers = signRequest(key, { method: 'POST', path: target.pathname, body: entities }, caller);
          await post(url, entities, headers);
          return (await post(url, entities, headers)).status === 403;
        },
      },
      {
        kind: 'requests around the gateway',
        name: `${agency}: signature by another key`,
        refused: async () => {
          const stranger = requestSigningKey(generateKeyPairSync('x25519').privateKey, readPublicKey(path.join(federation.keysDir, signingPublicKeyFile(agency))), agency);
          return (await post(url, entities, signRequest(stranger, { method: 'POST', path: target.pathname, body: entities }, caller))).status === 403;
        },
      },
      {
        kind: 'requests around the gateway',
        name: `${agency}: signed for ${neighbour}`,
        refused: async () => (await post(url, entities, signRequest(gatewaySigningKey(federation, neighbour), { method: 'POST', path: target.pathname, body: entities }, caller))).status === 403,
      },
    );
  }
  return attacks;
}
