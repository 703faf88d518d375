/**
 * Roles and purposes together: the auditors' tools need the auditor role and the AUDIT purpose,
 * an officer who also audits keeps an officer's view for other purposes, and the joint review is
 * decided by one rule of the policy whichever door a caller comes through (GraphQL or gRPC).
 */
import * as grpc from '@grpc/grpc-js';
import { describe, expect, inject, it } from 'vitest';
import { CALLERS, headersFor, type Caller } from '../support/callers.js';
import { graphql } from '../support/graphql.js';
import { metadataFor, review, reviewBatch, reviewClient, verdictOf } from '../support/grpc.js';
import { universe } from '../support/universe.js';

const federation = inject('federation');
const subject = universe(federation.seed, federation.size)[0]!;

const auditorActingFor = (purpose: string, agency = 'TAX'): Caller => ({
  name: `an auditor of ${agency} acting for ${purpose}`,
  claims: { sub: `auditor-${agency}`, agency, roles: ['auditor'], purposes: [purpose, 'AUDIT'] },
  purpose,
});
const auditingTaxOfficer = (purpose: string): Caller => ({
  name: `a tax officer who also audits, acting for ${purpose}`,
  claims: { sub: 'tax-officer-auditing', agency: 'TAX', roles: ['officer', 'auditor'], purposes: ['TAX_ADMINISTRATION', 'JOINT_PUNISHMENT', 'AUDIT'], region: '310000' },
  purpose,
});
const noGovernmentRole: Caller = {
  name: 'a token with no government role',
  claims: { sub: 'someone', agency: 'PROCUREMENT_CENTRE', roles: ['viewer'], purposes: ['PUBLIC_PROCUREMENT'] },
  purpose: 'PUBLIC_PROCUREMENT',
};

async function as(caller: Caller, query: string, variables: Record<string, unknown> = {}) {
  return graphql(federation.gatewayUrl, query, variables, await headersFor(federation, caller));
}

describe("the auditors' tools", () => {
  it('need the auditor role and the AUDIT purpose together', async () => {
    const query = '{ auditLog(first: 1) { records { requestId } } }';
    const allowed = await as(auditorActingFor('AUDIT'), query);
    expect(allowed.body.errors).toBeUndefined();
    expect(allowed.body.data!['auditLog'].records).toHaveLength(1);
    for (const caller of [auditorActingFor('JOINT_PUNISHMENT'), auditingTaxOfficer('TAX_ADMINISTRATION'), CALLERS.taxOfficer]) {
      const refused = await as(caller, query);
      expect(refused.body.data).toEqual({ auditLog: null });
      expect(refused.body.errors).toEqual([expect.objectContaining({ path: ['auditLog'], extensions: expect.objectContaining({ code: 'FORBIDDEN_FIELD', rule: 'auditor_tools_only' }) })]);
    }
  });

  it("leave an officer who also audits an officer's view of the graph for other purposes", async () => {
    const query = 'query($u: USCC!) { enterprise(uscc: $u) { tax { taxpayerType arrears { since } } } }';
    const asOfficer = await as(auditingTaxOfficer('TAX_ADMINISTRATION'), query, { u: subject.uscc });
    expect(asOfficer.body.errors).toBeUndefined();
    expect(asOfficer.body.data!['enterprise'].tax.taxpayerType).toMatch(/TAXPAYER$/);
    // Acting for AUDIT, the same person sees published data only.
    const asAuditor = await as(auditingTaxOfficer('AUDIT'), query, { u: subject.uscc });
    expect(asAuditor.body.data!['enterprise'].tax).toEqual({ taxpayerType: null, arrears: null });
    expect(asAuditor.body.errors!.map((e) => e.extensions!['rule'])).toEqual(['audit_purpose', 'audit_purpose']);
  });
});

describe('the joint review', () => {
  const refusedCallers: [string, Caller, string][] = [
    ['an auditor acting for AUDIT', CALLERS.auditor, 'audit_purpose'],
    ['an auditor acting for another purpose', auditorActingFor('PUBLIC_PROCUREMENT', 'PROCUREMENT_CENTRE'), 'no_government_role'],
    ['a token with no government role', noGovernmentRole, 'no_government_role'],
  ];

  it.each(refusedCallers)('is refused to %s on GraphQL and gRPC alike, by the same rule', async (_, caller, rule) => {
    const graph = await as(caller, 'query($u: USCC!) { jointReview(uscc: $u, matter: GOVERNMENT_PROCUREMENT) { outcome } }', { u: subject.uscc });
    expect(graph.body.data).toEqual({ jointReview: null });
    expect(graph.body.errors).toEqual([expect.objectContaining({ extensions: expect.objectContaining({ code: 'FORBIDDEN_FIELD', coordinate: 'Query.jointReview', rule }) })]);
    const reason = graph.body.errors![0]!.extensions!['reason'] as string;

    const client = reviewClient(federation.grpcAddress);
    try {
      const metadata = await metadataFor(federation, caller);
      const streamed = await review(client, { uscc: subject.uscc, matter: 'MATTER_GOVERNMENT_PROCUREMENT' }, metadata);
      expect(streamed.events).toEqual([]);
      expect(streamed.status).toMatchObject({ code: grpc.status.PERMISSION_DENIED, details: `Query.jointReview is not shared with this caller: ${reason}` });
      const batch = await reviewBatch(client, { uscc: [subject.uscc], matter: 'MATTER_GOVERNMENT_PROCUREMENT' }, metadata);
      expect(batch.error?.code).toBe(grpc.status.PERMISSION_DENIED);
      expect(batch.error?.details).toMatch(/^Query\.jointReviewBatch is not shared with this caller: /);
    } finally {
      client.close();
    }
  });

  it('is answered to an approval system on both doors', async () => {
    const graph = await as(CALLERS.procurement, 'query($u: USCC!) { jointReview(uscc: $u, matter: GOVERNMENT_PROCUREMENT) { outcome } }', { u: subject.uscc });
    expect(graph.body.errors).toBeUndefined();
    const client = reviewClient(federation.grpcAddress);
    try {
      const streamed = await review(client, { uscc: subject.uscc, matter: 'MATTER_GOVERNMENT_PROCUREMENT' }, await metadataFor(federation, CALLERS.procurement));
      expect(streamed.status.code).toBe(grpc.status.OK);
      expect(verdictOf(streamed).outcome).toBe(`OUTCOME_${graph.body.data!['jointReview'].outcome}`);
    } finally {
      client.close();
    }
  });
});
