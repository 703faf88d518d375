/** One audit record per request, on every channel, saying who asked what and what they got. */
import * as grpc from '@grpc/grpc-js';
import { describe, expect, inject, it } from 'vitest';
import { recordsOf } from '../support/audit.js';
import { CALLERS, headersFor } from '../support/callers.js';
import { graphql } from '../support/graphql.js';
import { metadataFor, review, reviewClient } from '../support/grpc.js';
import { firstWhere, universe } from '../support/universe.js';

const federation = inject('federation');
const enterprises = universe(federation.seed, federation.size);
const subject = firstWhere(enterprises, 'trades and has reports', (e) => e.trades && e.establishedOn < '2020-01-01');
const QUERY = 'query AuditedProfile($u: USCC!) { enterprise(uscc: $u) { market { name legalRepresentative { idNumber } } tax { taxpayerType arrears { since } } } }';

async function recordOf(requestId: string | null) {
  expect(requestId).toBeTruthy();
  const records = await recordsOf(federation, requestId!);
  expect(records).toHaveLength(1);
  return records[0];
}

const decision = (record: any, coordinate: string) => record.decisions.find((d: { coordinate: string }) => d.coordinate === coordinate);

describe('the audit record of a GraphQL request', () => {
  it('records an allowed request: who, for what, which operation, which enterprises, every decision', async () => {
    const res = await graphql(federation.gatewayUrl, QUERY, { u: subject.uscc }, await headersFor(federation, CALLERS.taxOfficer));
    const record = await recordOf(res.headers.get('x-request-id'));
    expect(record).toMatchObject({
      channel: 'graphql',
      principal: { sub: 'tax-officer-1', agency: 'TAX', roles: ['officer'], region: '310000' },
      purpose: 'TAX_ADMINISTRATION',
      operationName: 'AuditedProfile',
      operationHash: expect.stringMatching(/^[0-9a-f]{64}$/),
      enterprises: [subject.uscc],
      policyRevision: expect.stringMatching(/^[0-9a-f]{64}$/),
      outcome: 'ok',
    });
    expect(decision(record, 'TaxProfile.arrears')).toEqual({ coordinate: 'TaxProfile.arrears', effect: 'ALLOW', rule: 'owner' });
    expect(decision(record, 'MarketProfile.name')).toEqual({ coordinate: 'MarketProfile.name', effect: 'ALLOW', rule: 'public' });
  });

  it('records a masked field as masked', async () => {
    const res = await graphql(federation.gatewayUrl, QUERY, { u: subject.uscc }, await headersFor(federation, CALLERS.taxOfficer));
    expect(decision(await recordOf(res.headers.get('x-request-id')), 'LegalRepresentative.idNumber')).toEqual({
      coordinate: 'LegalRepresentative.idNumber',
      effect: 'MASK',
      rule: 'conditional_masked',
    });
  });

  it('records a denied field, and the request as partial', async () => {
    const res = await graphql(federation.gatewayUrl, QUERY, { u: subject.uscc }, await headersFor(federation, CALLERS.customsOfficer));
    const record = await recordOf(res.headers.get('x-request-id'));
    expect(record.outcome).toBe('partial');
    expect(decision(record, 'TaxProfile.arrears')).toEqual({ coordinate: 'TaxProfile.arrears', effect: 'DENY', rule: 'conditional_purpose_missing' });
  });

  it('records a refused request, with why', async () => {
    const res = await graphql(federation.gatewayUrl, QUERY, { u: subject.uscc }, { authorization: 'Bearer not.a.token', 'x-purpose': 'TAX_ADMINISTRATION' });
    expect(res.status).toBe(401);
    const record = await recordOf(res.headers.get('x-request-id'));
    expect(record).toMatchObject({
      outcome: 'refused',
      principal: { sub: null, agency: null },
      detail: 'UNAUTHENTICATED: the token is malformed',
      operationName: 'AuditedProfile',
      enterprises: [subject.uscc],
      decisions: [],
    });
  });

  it('records the enterprises a search returned', async () => {
    const res = await graphql(federation.gatewayUrl, '{ searchEnterprises(regionCode: "310000", first: 3) { edges { node { uscc } } } }');
    const returned = res.body.data!['searchEnterprises'].edges.map((e: { node: { uscc: string } }) => e.node.uscc);
    expect((await recordOf(res.headers.get('x-request-id'))).enterprises).toEqual([...returned].sort());
  });
});

describe('the audit record of a joint review', () => {
  it('records one gRPC call with the decisions of every agency it asked', async () => {
    const client = reviewClient(federation.grpcAddress);
    const metadata = await metadataFor(federation, CALLERS.customsOfficer);
    const before = Date.now();
    const result = await review(client, { uscc: subject.uscc, matter: 'MATTER_CUSTOMS_CLEARANCE' }, metadata);
    expect(result.status.code).toBe(grpc.status.OK);
    const { withAuditDatabase } = await import('../support/audit.js');
    const records = await withAuditDatabase(federation, async (c) =>
      (await c.query(`SELECT record FROM audit_records WHERE channel = 'grpc' AND principal_sub = 'customs-officer-1' AND at >= $1`, [new Date(before - 1000)])).rows.map((r) => JSON.parse(r.record)),
    );
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({ operationName: 'JointReviewService/Review', purpose: 'CUSTOMS_SUPERVISION', enterprises: [subject.uscc], outcome: 'ok' });
    expect(decision(records[0], 'TaxProfile.arrears')).toMatchObject({ effect: 'DENY' });
    expect(decision(records[0], 'CustomsProfile.creditLevel')).toMatchObject({ effect: 'ALLOW' });
    client.close();
  });

  it('records a refused call', async () => {
    const client = reviewClient(federation.grpcAddress);
    const result = await review(client, { uscc: subject.uscc, matter: 'MATTER_BIDDING' }, new grpc.Metadata());
    expect(result.status.code).toBe(grpc.status.UNAUTHENTICATED);
    client.close();
  });
});
