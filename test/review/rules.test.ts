/**
 * Every joint review rule end to end through gRPC, with a real grpc-js client, against the
 * enterprises the agencies actually hold: the test first reads the facts through the graph (as a
 * credit supervisor), then picks an enterprise for each rule.
 */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import type { Matter } from '../../gateway/generated/proto/meg/review/v1/Matter.js';
import type { ReviewRequest } from '../../gateway/generated/proto/meg/review/v1/ReviewRequest.js';
import { projectRoot } from '../../platform/config/projectRoot.js';
import { composeUscc } from '../../platform/domain/uscc.js';
import { CALLERS, headersFor, type Caller } from '../support/callers.js';
import { graphql, requestCount, subgraphMetrics } from '../support/graphql.js';
import { findingOf, findingsOf, metadataFor, review, reviewBatch, reviewClient, verdictOf } from '../support/grpc.js';
import { universe } from '../support/universe.js';
import type { Untyped } from '../support/untyped.js';

const federation = inject('federation');
const codes = universe(federation.seed, federation.size).map((e) => e.uscc);
const client = reviewClient(federation.grpcAddress);

interface Facts {
  uscc: string;
  market: {
    status: string;
    abnormalOperations: { removedOn: string | null; publicity: string }[];
    seriousViolations: { decisionNo: string; removedOn: string | null; publicity: string }[];
  } | null;
  tax: { creditRatings: { year: number; rating: string }[]; majorViolations: { caseNo: string; removedOn: string | null; publicity: string }[]; arrears: { settledOn: string | null }[] } | null;
  social: { arrears: { settledOn: string | null }[] } | null;
  customs: { creditLevel: string } | null;
}
const facts: Facts[] = [];

beforeAll(async () => {
  // In pages of 500 codes: one request may name at most 1,000 (the gateway's limit).
  for (let i = 0; i < codes.length; i += 500) {
    const { body } = await graphql(
      federation.gatewayUrl,
      `
        query Facts($c: [USCC!]!) {
          enterprisesByCode(uscc: $c) {
            uscc
            market {
              status
              abnormalOperations {
                removedOn
                publicity
              }
              seriousViolations {
                decisionNo
                removedOn
                publicity
              }
            }
            tax {
              creditRatings {
                year
                rating
              }
              majorViolations {
                caseNo
                removedOn
                publicity
              }
              arrears {
                settledOn
              }
            }
            social {
              arrears {
                settledOn
              }
            }
            customs {
              creditLevel
            }
          }
        }
      `,
      { c: codes.slice(i, i + 500) },
      await headersFor(federation, CALLERS.creditSupervisor),
    );
    expect(body.errors).toBeUndefined();
    facts.push(...(body.data!['enterprisesByCode'] as Facts[]));
  }
});

// Read with a history view (credit supervision): an entry whose publicity has ended is in the record, and weighs in no review.
const open = (list: { removedOn?: string | null; settledOn?: string | null; publicity?: string }[] | undefined) =>
  (list ?? []).filter((e) => (e.removedOn ?? e.settledOn ?? null) === null && e.publicity !== 'ENDED').length > 0;
const latestRating = (f: Facts) => [...(f.tax?.creditRatings ?? [])].sort((a, b) => b.year - a.year)[0]?.rating;
const notOperating = (f: Facts) => f.market?.status === 'REVOKED' || f.market?.status === 'CANCELLED';
const negativeBesidesArrears = (f: Facts) =>
  !f.market || notOperating(f) || open(f.market.seriousViolations) || open(f.market.abnormalOperations) || open(f.tax?.majorViolations) || latestRating(f) === 'D';
const negative = (f: Facts) =>
  !f.market ||
  notOperating(f) ||
  open(f.market.seriousViolations) ||
  open(f.market.abnormalOperations) ||
  open(f.tax?.majorViolations) ||
  latestRating(f) === 'D' ||
  open(f.social?.arrears) ||
  open(f.tax?.arrears) ||
  f.customs?.creditLevel === 'DISHONEST';

function pick(what: string, test: (f: Facts) => boolean): Facts {
  const found = facts.find(test);
  if (!found) throw new Error(`the test universe holds no enterprise that ${what}`);
  return found;
}

async function reviewOf(uscc: string, matter: Matter, caller: Caller) {
  const result = await review(client, { uscc, matter }, await metadataFor(federation, caller));
  expect(result.status.code, result.status.details).toBe(grpc.status.OK);
  return verdictOf(result);
}

const rules = (verdict: { measures: { rule: string; measure: string }[] }) => verdict.measures.map((m) => [m.rule, m.measure]);

describe('joint review rules, through gRPC', () => {
  it('prohibits procurement, bidding, subsidies and land for an enterprise on the serious-violation list, with the decision as evidence', async () => {
    const subject = pick('is on the serious-violation list', (f) => open(f.market?.seriousViolations));
    for (const [matter, caller] of [
      ['MATTER_GOVERNMENT_PROCUREMENT', CALLERS.procurement],
      ['MATTER_BIDDING', CALLERS.procurement],
      ['MATTER_FISCAL_SUBSIDY', CALLERS.subsidySystem],
      ['MATTER_STATE_LAND_TRANSFER', CALLERS.procurement],
    ] as const) {
      const verdict = await reviewOf(subject.uscc, matter, caller);
      expect(verdict.outcome).toBe('OUTCOME_PROHIBIT');
      const measure = verdict.measures.find((m: { rule: string }) => m.rule === 'serious_violation');
      expect(measure).toMatchObject({ measure: 'MEASURE_PROHIBIT', agency: 'AGENCY_MARKET', legalBasis: '《严重违法失信名单管理办法》（国家市场监督管理总局令第44号）' });
      expect(measure?.evidence[0]).toMatchObject({ kind: 'SERIOUS_VIOLATION_LIST', reference: subject.market!.seriousViolations[0]!.decisionNo });
    }
  });

  it('prohibits procurement and subsidies for a major tax violation and restricts licences', async () => {
    const subject = pick('is on the major tax-violation list', (f) => open(f.tax?.majorViolations));
    expect((await reviewOf(subject.uscc, 'MATTER_GOVERNMENT_PROCUREMENT', CALLERS.procurement)).outcome).toBe('OUTCOME_PROHIBIT');
    expect(rules(await reviewOf(subject.uscc, 'MATTER_FISCAL_SUBSIDY', CALLERS.subsidySystem))).toContainEqual(['major_tax_violation', 'MEASURE_PROHIBIT']);
    const licence = await reviewOf(subject.uscc, 'MATTER_ADMINISTRATIVE_LICENCE', CALLERS.licensingSystem);
    expect(rules(licence)).toContainEqual(['major_tax_violation', 'MEASURE_RESTRICT']);
    expect(licence.measures.find((m: { rule: string }) => m.rule === 'major_tax_violation')?.evidence[0]?.reference).toBe(subject.tax!.majorViolations[0]!.caseNo);
  });

  it('restricts an enterprise on the abnormal-operations list', async () => {
    const subject = pick(
      'is listed as abnormal and nothing worse',
      (f) => open(f.market?.abnormalOperations) && !open(f.market?.seriousViolations) && !open(f.tax?.majorViolations) && !notOperating(f),
    );
    const verdict = await reviewOf(subject.uscc, 'MATTER_GOVERNMENT_PROCUREMENT', CALLERS.procurement);
    expect(verdict.outcome).toBe('OUTCOME_RESTRICT');
    expect(rules(verdict)).toContainEqual(['abnormal_operations', 'MEASURE_RESTRICT']);
  });

  it('restricts an enterprise whose latest tax rating is D, naming the rating and year', async () => {
    const subject = pick('is rated D', (f) => latestRating(f) === 'D');
    const verdict = await reviewOf(subject.uscc, 'MATTER_BIDDING', CALLERS.procurement);
    const measure = verdict.measures.find((m: { rule: string }) => m.rule === 'tax_rating_d');
    expect(measure).toMatchObject({ measure: 'MEASURE_RESTRICT', agency: 'AGENCY_TAX' });
    expect(measure?.evidence[0]).toMatchObject({ kind: 'TAX_CREDIT_RATING', reference: 'D', date: String(subject.tax!.creditRatings[0]!.year) });
  });

  it('restricts subsidies, and only subsidies, for social-insurance arrears', async () => {
    const subject = pick('owes social insurance', (f) => open(f.social?.arrears));
    expect(rules(await reviewOf(subject.uscc, 'MATTER_FISCAL_SUBSIDY', CALLERS.subsidySystem))).toContainEqual(['social_insurance_arrears', 'MEASURE_RESTRICT']);
    expect(rules(await reviewOf(subject.uscc, 'MATTER_GOVERNMENT_PROCUREMENT', CALLERS.procurement)).map(([r]) => r)).not.toContain('social_insurance_arrears');
  });

  it('restricts customs clearance for a dishonest enterprise', async () => {
    const subject = pick('is dishonest at customs', (f) => f.customs?.creditLevel === 'DISHONEST');
    const verdict = await reviewOf(subject.uscc, 'MATTER_CUSTOMS_CLEARANCE', CALLERS.customsOfficer);
    expect(rules(verdict)).toContainEqual(['customs_dishonest', 'MEASURE_RESTRICT']);
  });

  it('opens the green channel for rating A with advanced certification and nothing negative', async () => {
    const subject = pick('is trustworthy', (f) => latestRating(f) === 'A' && f.customs?.creditLevel === 'ADVANCED_CERTIFIED' && !negative(f));
    const verdict = await reviewOf(subject.uscc, 'MATTER_CUSTOMS_CLEARANCE', CALLERS.incentiveSystem);
    expect(verdict.outcome).toBe('OUTCOME_PRIORITY');
    expect(rules(verdict)).toEqual([['trustworthy', 'MEASURE_PRIORITY']]);
    expect(verdict.withheld).toEqual([]);
  });

  it('gives no green channel to a caller who may not see whether arrears are open: INCOMPLETE, naming what was withheld', async () => {
    const subject = pick('is trustworthy', (f) => latestRating(f) === 'A' && f.customs?.creditLevel === 'ADVANCED_CERTIFIED' && !negative(f));
    // A customs officer supervising clearance is not shared the tax and social-insurance arrears.
    const verdict = await reviewOf(subject.uscc, 'MATTER_CUSTOMS_CLEARANCE', CALLERS.customsOfficer);
    expect(verdict.outcome).toBe('OUTCOME_INCOMPLETE');
    expect(verdict.measures).toEqual([]);
    expect(verdict.withheld).toEqual([
      { agency: 'AGENCY_JOINT', rule: 'trustworthy', coordinates: ['ContributionArrear.settledOn', 'SocialProfile.arrears', 'TaxArrear.settledOn', 'TaxProfile.arrears'] },
    ]);
  });

  it("does not read a rule's withheld facts as none: social-insurance arrears a caller may not see make a subsidy review INCOMPLETE", async () => {
    const subject = pick('owes social insurance and nothing else', (f) => open(f.social?.arrears) && !open(f.tax?.arrears) && !negativeBesidesArrears(f));
    // Shared for procurement: the arrears restrict.
    const seen = await reviewOf(subject.uscc, 'MATTER_FISCAL_SUBSIDY', CALLERS.procurement);
    expect(seen.outcome).toBe('OUTCOME_RESTRICT');
    expect(rules(seen)).toContainEqual(['social_insurance_arrears', 'MEASURE_RESTRICT']);
    // Not shared for customs supervision: neither RESTRICT nor a silent PASS.
    const result = await review(client, { uscc: subject.uscc, matter: 'MATTER_FISCAL_SUBSIDY' }, await metadataFor(federation, CALLERS.customsOfficer));
    expect(result.status.code).toBe(grpc.status.OK);
    const verdict = verdictOf(result);
    expect(verdict.outcome).toBe('OUTCOME_INCOMPLETE');
    expect(verdict.withheld).toEqual([{ agency: 'AGENCY_SOCIAL', rule: 'social_insurance_arrears', coordinates: ['ContributionArrear.settledOn', 'SocialProfile.arrears'] }]);
    const social = findingOf(result, 'AGENCY_SOCIAL');
    expect(social).toMatchObject({
      status: 'FINDING_STATUS_WITHHELD',
      withheldCoordinates: ['ContributionArrear.settledOn', 'SocialProfile.arrears'],
      detail: 'the access policy withholds from this caller facts the rules (social_insurance_arrears) need: ContributionArrear.settledOn, SocialProfile.arrears; the verdict cannot rest on them',
    });
    // The same over GraphQL.
    const graph = await graphql(
      federation.gatewayUrl,
      'query($u: USCC!) { jointReview(uscc: $u, matter: FISCAL_SUBSIDY) { outcome withheld { agency rule coordinates } findings { agency status withheld } } }',
      { u: subject.uscc },
      await headersFor(federation, CALLERS.customsOfficer),
    );
    expect(graph.body.errors).toBeUndefined();
    expect(graph.body.data!['jointReview']).toMatchObject({
      outcome: 'INCOMPLETE',
      withheld: [{ agency: 'SOCIAL', rule: 'social_insurance_arrears', coordinates: ['ContributionArrear.settledOn', 'SocialProfile.arrears'] }],
    });
    expect(graph.body.data!['jointReview'].findings).toContainEqual({ agency: 'SOCIAL', status: 'WITHHELD', withheld: ['ContributionArrear.settledOn', 'SocialProfile.arrears'] });
  });

  it('passes an enterprise with nothing on record', async () => {
    const subject = pick('has nothing on record', (f) => !negative(f) && latestRating(f) !== 'A');
    const verdict = await reviewOf(subject.uscc, 'MATTER_GOVERNMENT_PROCUREMENT', CALLERS.procurement);
    expect(verdict).toMatchObject({ outcome: 'OUTCOME_PASS', measures: [], unavailable: [], policyRevision: expect.stringMatching(/^[0-9a-f]{64}$/) });
  });

  it('prohibits an enterprise whose business licence is revoked', async () => {
    const subject = pick('has its licence revoked', (f) => f.market?.status === 'REVOKED');
    const verdict = await reviewOf(subject.uscc, 'MATTER_LISTING', CALLERS.procurement);
    expect(verdict.outcome).toBe('OUTCOME_PROHIBIT');
    expect(verdict.measures.find((m: { rule: string }) => m.rule === 'not_operating')).toMatchObject({
      measure: 'MEASURE_PROHIBIT',
      evidence: [{ kind: 'REGISTRATION_STATUS', reference: 'REVOKED', date: '', detail: 'the business licence is revoked or the registration cancelled' }],
    });
  });

  it('prohibits anything in the name of a code nobody registered', async () => {
    const verdict = await reviewOf(composeUscc('9', '1', '150102', '00000002'), 'MATTER_BIDDING', CALLERS.procurement);
    expect(verdict.outcome).toBe('OUTCOME_PROHIBIT');
    expect(rules(verdict)).toEqual([['not_registered', 'MEASURE_PROHIBIT']]);
  });
});

describe('the Review stream', () => {
  it('sends one finding per agency before the verdict', async () => {
    const result = await review(client, { uscc: codes[3]!, matter: 'MATTER_BIDDING' }, await metadataFor(federation, CALLERS.procurement));
    expect(result.status.code).toBe(grpc.status.OK);
    expect(result.events.map((e) => e.event)).toEqual(['finding', 'finding', 'finding', 'finding', 'verdict']);
    expect(
      findingsOf(result)
        .map((f) => f.agency)
        .sort(),
    ).toEqual(['AGENCY_CUSTOMS', 'AGENCY_MARKET', 'AGENCY_SOCIAL', 'AGENCY_TAX']);
    expect(findingsOf(result).every((f) => f.status === 'FINDING_STATUS_ANSWERED')).toBe(true);
  });

  it("reviews under the caller's own policy: facts it may not see are withheld and said so", async () => {
    // Tax arrears are not shared for customs supervision, and no rule of customs clearance needs them but the green channel.
    const result = await review(client, { uscc: codes[3]!, matter: 'MATTER_CUSTOMS_CLEARANCE' }, await metadataFor(federation, CALLERS.customsOfficer));
    const tax = findingOf(result, 'AGENCY_TAX');
    expect(tax).toMatchObject({
      status: 'FINDING_STATUS_ANSWERED',
      detail: "withheld by the access policy for this caller (none of this agency's rules for this matter needs it): TaxProfile.arrears",
    });
  });
});

describe('refusals', () => {
  const request = (uscc: string, matter: Matter = 'MATTER_BIDDING'): ReviewRequest => ({ uscc, matter });

  it.each([
    ['an invalid code', request('91350100M000100Y44'), grpc.status.INVALID_ARGUMENT, 'check digit of "91350100M000100Y44" is wrong: position 18 is "4", expected "3"'],
    ['an unknown matter', request('91350100M000100Y43', 'MATTER_UNSPECIFIED'), grpc.status.INVALID_ARGUMENT, /^matter must be one of MATTER_GOVERNMENT_PROCUREMENT, /],
  ])('refuses %s with INVALID_ARGUMENT and the reason', async (_what, req, code, details) => {
    const result = await review(client, req, await metadataFor(federation, CALLERS.procurement));
    expect(result.status.code).toBe(code);
    if (typeof details === 'string') expect(result.status.details).toBe(details);
    else expect(result.status.details).toMatch(details);
    expect(result.events).toEqual([]);
  });

  it('refuses a call without a token, or with a bad one, as UNAUTHENTICATED', async () => {
    const none = await review(client, request(codes[0]!), new grpc.Metadata());
    expect(none.status.code).toBe(grpc.status.UNAUTHENTICATED);
    const bad = new grpc.Metadata();
    bad.set('authorization', 'Bearer not.a.token');
    bad.set('x-purpose', 'PUBLIC_PROCUREMENT');
    const refused = await review(client, request(codes[0]!), bad);
    expect(refused.status).toMatchObject({ code: grpc.status.UNAUTHENTICATED, details: 'the token is malformed' });
  });

  it('refuses a purpose the token does not grant as PERMISSION_DENIED', async () => {
    const metadata = await metadataFor(federation, CALLERS.procurement);
    metadata.set('x-purpose', 'FISCAL_SUBSIDY');
    const result = await review(client, request(codes[0]!), metadata);
    expect(result.status).toMatchObject({
      code: grpc.status.PERMISSION_DENIED,
      details: 'your token does not grant the purpose FISCAL_SUBSIDY; it grants PUBLIC_PROCUREMENT',
    });
  });
});

describe('ReviewBatch', () => {
  it('reviews 1,000 enterprises with one fetch per agency, verdicts in the order asked', async () => {
    const list = codes.slice(0, 1_000);
    const before = await Promise.all((['market', 'tax', 'social', 'customs'] as const).map(async (a) => requestCount(await subgraphMetrics(federation.adminUrls[a]), a)));
    const { verdicts, error } = await reviewBatch(client, { uscc: list, matter: 'MATTER_GOVERNMENT_PROCUREMENT' }, await metadataFor(federation, CALLERS.procurement));
    expect(error).toBeUndefined();
    const after = await Promise.all((['market', 'tax', 'social', 'customs'] as const).map(async (a) => requestCount(await subgraphMetrics(federation.adminUrls[a]), a)));
    expect(after.map((n, i) => n - before[i]!)).toEqual([1, 1, 1, 1]);
    expect(verdicts!.map((v) => v.uscc)).toEqual(list);
    expect(verdicts!.every((v) => v.findings.length === 4 && v.outcome !== 'OUTCOME_INCOMPLETE')).toBe(true);
    // Plausible distributions: most pass, some are restricted or prohibited.
    const outcomes = new Set(verdicts!.map((v) => v.outcome));
    expect(outcomes).toContain('OUTCOME_PASS');
    expect(outcomes).toContain('OUTCOME_PROHIBIT');
  });

  it('names the invalid code of a list', async () => {
    const { error } = await reviewBatch(client, { uscc: [codes[0]!, 'X'], matter: 'MATTER_BIDDING' }, await metadataFor(federation, CALLERS.procurement));
    expect(error).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: 'uscc[1]: a unified social credit code has 18 characters; "X" has 1' });
  });
});

describe('the same review over GraphQL', () => {
  it('agrees with gRPC, for one enterprise and for a list', async () => {
    const subject = pick('is on the serious-violation list', (f) => open(f.market?.seriousViolations));
    const as = await headersFor(federation, CALLERS.procurement);
    const one = await graphql(
      federation.gatewayUrl,
      'query($u: USCC!) { jointReview(uscc: $u, matter: GOVERNMENT_PROCUREMENT) { uscc outcome measures { rule measure agency } findings { agency status } } }',
      { u: subject.uscc },
      as,
    );
    expect(one.body.errors).toBeUndefined();
    const viaGrpc = await reviewOf(subject.uscc, 'MATTER_GOVERNMENT_PROCUREMENT', CALLERS.procurement);
    expect(one.body.data!['jointReview'].outcome).toBe(viaGrpc.outcome.replace('OUTCOME_', ''));
    expect(one.body.data!['jointReview'].measures.map((m: { rule: string }) => m.rule)).toEqual(viaGrpc.measures.map((m: { rule: string }) => m.rule));

    const batch = await graphql(federation.gatewayUrl, 'query($c: [USCC!]!) { jointReviewBatch(uscc: $c, matter: GOVERNMENT_PROCUREMENT) { uscc outcome } }', { c: codes.slice(0, 50) }, as);
    const { verdicts } = await reviewBatch(client, { uscc: codes.slice(0, 50), matter: 'MATTER_GOVERNMENT_PROCUREMENT' }, await metadataFor(federation, CALLERS.procurement));
    expect(batch.body.data!['jointReviewBatch']).toEqual(verdicts!.map((v) => ({ uscc: v.uscc, outcome: v.outcome.replace('OUTCOME_', '') })));
  });

  it('is not for the public', async () => {
    const { body } = await graphql(federation.gatewayUrl, `{ jointReview(uscc: "${codes[0]}", matter: BIDDING) { outcome } }`);
    expect(body.data).toEqual({ jointReview: null });
    expect(body.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN_FIELD', coordinate: 'Query.jointReview' });
  });
});

describe('standard gRPC services', () => {
  it('can be called with grpcurl, through reflection alone', async () => {
    const grpcurl = process.env['MEG_GRPCURL'] ?? path.join(projectRoot, '.tools/grpcurl-v1.9.3/grpcurl');
    const headers = await headersFor(federation, CALLERS.procurement);
    const run = (...args: string[]) => execFileSync(grpcurl, ['-plaintext', '-max-time', '10', ...args], { encoding: 'utf8' });
    expect(run(federation.grpcAddress, 'list')).toContain('meg.review.v1.JointReviewService');
    const out = run(
      '-H',
      `authorization: ${headers['authorization']}`,
      '-H',
      `x-purpose: ${headers['x-purpose']}`,
      '-d',
      JSON.stringify({ uscc: codes[5], matter: 'MATTER_BIDDING' }),
      federation.grpcAddress,
      'meg.review.v1.JointReviewService/Review',
    );
    const events = out
      .trim()
      .split(/\n(?=\{)/)
      .map((chunk) => JSON.parse(chunk));
    expect(events).toHaveLength(5);
    expect(events.at(-1).verdict.outcome).toMatch(/^OUTCOME_/);
  });

  it('answers health checks for the server and the service', async () => {
    const { protoPath } = await import('grpc-health-check');
    const health = grpc.loadPackageDefinition(protoLoader.loadSync(protoPath, { keepCase: true, enums: String })) as Untyped;
    const checker = new health.grpc.health.v1.Health(federation.grpcAddress, grpc.credentials.createInsecure());
    for (const service of ['', 'meg.review.v1.JointReviewService']) {
      const answer = await new Promise<Untyped>((resolve, reject) => checker.Check({ service }, { deadline: Date.now() + 5_000 }, (e: Error | null, r: unknown) => (e ? reject(e) : resolve(r))));
      expect(answer.status).toBe('SERVING');
    }
  });

  it('describes itself through server reflection', async () => {
    const reflectionProto = path.join(projectRoot, 'node_modules/@grpc/reflection/build/proto/grpc/reflection/v1alpha/reflection.proto');
    const reflection = grpc.loadPackageDefinition(protoLoader.loadSync(reflectionProto, { keepCase: true })) as Untyped;
    const stub = new reflection.grpc.reflection.v1alpha.ServerReflection(federation.grpcAddress, grpc.credentials.createInsecure());
    const services = await new Promise<string[]>((resolve, reject) => {
      const call = stub.ServerReflectionInfo({ deadline: Date.now() + 5_000 });
      call.on('data', (r: Untyped) => {
        resolve(r.list_services_response.service.map((s: { name: string }) => s.name));
        call.end();
      });
      call.on('error', reject);
      call.write({ list_services: '' });
    });
    expect(services).toContain('meg.review.v1.JointReviewService');
  });
});
