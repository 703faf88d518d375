import { generateKeyPairSync } from 'node:crypto';
import { createServer } from 'node:http';
import path from 'node:path';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { CONTEXT_HEADER, requestSigningKey, SIGNATURE_HEADER, signRequest, type CallerContext } from '../../platform/trust/gatewaySignature.js';
import { readPublicKey, signingPublicKeyFile } from '../../platform/trust/keys.js';
import { gatewaySigningKey } from '../support/federation.js';
import { CALLERS, headersFor } from '../support/callers.js';
import { startGatewayProcess } from '../support/gateway.js';
import { listeningPorts } from '../support/listeningPorts.js';
import { graphql, requestCount, statementCount, subgraphMetrics } from '../support/graphql.js';
import { universe } from '../support/universe.js';
import type { Untyped } from '../support/untyped.js';

const federation = inject('federation');
const taxUrl = federation.subgraphUrls.tax;
const taxAdminUrl = federation.adminUrls.tax;
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

async function post(body: string, headers: Record<string, string> = {}): Promise<{ status: number; body: Untyped }> {
  const res = await fetch(taxUrl, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body });
  return { status: res.status, body: await res.json() };
}

async function taxDatabaseUse(): Promise<number> {
  const m = await subgraphMetrics(taxAdminUrl);
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
    const [countBefore, secondsBefore] = checks(await subgraphMetrics(taxAdminUrl));
    await post(ENTITIES, signRequest(gatewayKey, { method: 'POST', path: '/graphql', body: ENTITIES }, caller));
    await post(ENTITIES, signRequest(strangerKey, { method: 'POST', path: '/graphql', body: ENTITIES }, caller));
    const [countAfter, secondsAfter] = checks(await subgraphMetrics(taxAdminUrl));
    // Refused requests are checked too; other tests may run requests meanwhile, hence at least.
    expect(countAfter! - countBefore!).toBeGreaterThanOrEqual(2);
    expect(secondsAfter!).toBeGreaterThan(secondsBefore!);
  });

  it.each([
    ['unsigned', () => ({}), 401, 'GATEWAY_SIGNATURE_REQUIRED'],
    ['signed over another body', () => signRequest(gatewayKey, { method: 'POST', path: '/graphql', body: '{"query":"{ _service { sdl } }"}' }, caller), 403, 'GATEWAY_SIGNATURE_INVALID'],
    ['signed with another key', () => signRequest(strangerKey, { method: 'POST', path: '/graphql', body: ENTITIES }, caller), 403, 'GATEWAY_SIGNATURE_INVALID'],
    ['signed by the gateway for another agency', () => signRequest(marketKey, { method: 'POST', path: '/graphql', body: ENTITIES }, caller), 403, 'GATEWAY_SIGNATURE_INVALID'],
    [
      'with a signature cut short',
      () => {
        const headers = signRequest(gatewayKey, { method: 'POST', path: '/graphql', body: ENTITIES }, caller);
        return { ...headers, [SIGNATURE_HEADER]: headers[SIGNATURE_HEADER]!.slice(0, -8) };
      },
      403,
      'GATEWAY_SIGNATURE_INVALID',
    ],
    ['signed five minutes ago', () => signRequest(gatewayKey, { method: 'POST', path: '/graphql', body: ENTITIES }, caller, Date.now() - 300_000), 403, 'GATEWAY_SIGNATURE_STALE'],
    [
      'with a caller context swapped after signing',
      () => {
        const headers = signRequest(gatewayKey, { method: 'POST', path: '/graphql', body: ENTITIES }, caller);
        const forged = { ...caller, agency: 'TAX', roles: ['officer'], purpose: 'TAX_ADMINISTRATION' };
        return { ...headers, [CONTEXT_HEADER]: Buffer.from(JSON.stringify(forged)).toString('base64url') };
      },
      403,
      'GATEWAY_SIGNATURE_INVALID',
    ],
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
    // What the market agency receives, seen by standing in for it: a gateway of its own points at it.
    const received: Record<string, string | string[] | undefined>[] = [];
    const stand = createServer((req, res) => {
      if (req.method === 'POST') received.push(req.headers); // not the gateway's readiness probes
      req.resume();
      req.on('end', () => {
        res.writeHead(200, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ data: { searchEnterprises: { edges: [{ node: { uscc } }] } } }));
      });
    });
    await new Promise<void>((resolve) => stand.listen(0, '127.0.0.1', resolve));
    const port = (stand.address() as { port: number }).port;
    const gateway = await startGatewayProcess(federation, { extraEnv: { MEG_MARKET_URL: `http://127.0.0.1:${port}/graphql` } });
    try {
      // The public, claiming to be a tax officer through the headers the gateway uses internally,
      // asks for a published field: the gateway does ask the agency, and must say who really asks.
      const forged = { requestId: 'forged', sub: 'tax-officer-9', agency: 'TAX', roles: ['officer'], region: null, purpose: 'TAX_ADMINISTRATION' };
      const headers = {
        [CONTEXT_HEADER]: Buffer.from(JSON.stringify(forged)).toString('base64url'),
        [SIGNATURE_HEADER]: signRequest(gatewayKey, { method: 'POST', path: '/graphql', body: '{}' }, forged)[SIGNATURE_HEADER]!,
      };
      const res = await graphql(gateway.url, '{ searchEnterprises(first: 1) { edges { node { uscc } } } }', undefined, headers);
      expect(res.body.errors).toBeUndefined();
      expect(received).toHaveLength(1);
      const context = JSON.parse(Buffer.from(String(received[0]![CONTEXT_HEADER]), 'base64url').toString('utf8'));
      expect(context).toMatchObject({ sub: 'public', agency: null, roles: [], purpose: null });
      expect(received[0]![SIGNATURE_HEADER]).not.toBe(headers[SIGNATURE_HEADER]);
    } finally {
      await gateway.stop();
      stand.close();
    }
  });

  it('serves its own review and audit subgraphs to no one over the network: it listens on its GraphQL, gRPC and admin ports alone', async () => {
    const gateway = await startGatewayProcess(federation);
    try {
      const ports = [new URL(gateway.url).port, gateway.grpcAddress.split(':')[1], new URL(gateway.adminUrl).port].map(Number).sort((a, b) => a - b);
      expect(listeningPorts(gateway.child.pid!)).toEqual(ports);
      // And they answer through it, as the gateway's caller.
      const headers = await headersFor(federation, CALLERS.procurement);
      const res = await graphql(gateway.url, `{ jointReview(uscc: "${uscc}", matter: GOVERNMENT_PROCUREMENT) { outcome findings { agency status } } }`, undefined, headers);
      expect(res.body.errors).toBeUndefined();
      expect(res.body.data!['jointReview'].findings.map((f: { status: string }) => f.status)).toEqual(['ANSWERED', 'ANSWERED', 'ANSWERED', 'ANSWERED']);
    } finally {
      await gateway.stop();
    }
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
