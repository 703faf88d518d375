/** What auditors get: the catalogue, the matrix as the gateway really enforces it, explanations, the log. */
import { describe, expect, inject, it } from 'vitest';
import { auditCli } from '../support/audit.js';
import { CALLERS, headersFor, type Caller } from '../support/callers.js';
import { graphql } from '../support/graphql.js';
import { firstWhere, universe } from '../support/universe.js';
import { MASKED_FORMS } from '../support/fuzz.js';
import { readCatalogue } from '../support/policyOracle.js';
import type { Untyped } from '../support/untyped.js';

const federation = inject('federation');
const subject = firstWhere(universe(federation.seed, federation.size), 'trades, employs and reports', (e) => e.trades && e.headcount > 0 && e.establishedOn < '2020-01-01');
const auditor = () => headersFor(federation, CALLERS.auditor);

const PROFILE = `query($u: USCC!) { enterprise(uscc: $u) {
  market { name legalRepresentative { idNumber phone } annualReports { totalAssets } }
  tax { taxpayerType taxAuthority creditRatings { rating } }
  social { employerNo insuredHeadcount }
  customs { creditLevel customsCode } } }`;
/** Where each coordinate is in the answer, and the chain of parents that could be denied. */
const CELLS: Record<string, { read: (e: Untyped) => unknown; parents: string[] }> = {
  'MarketProfile.name': { read: (e) => e.market.name, parents: ['Enterprise.market'] },
  'LegalRepresentative.idNumber': { read: (e) => e.market.legalRepresentative.idNumber, parents: ['Enterprise.market', 'MarketProfile.legalRepresentative'] },
  'LegalRepresentative.phone': { read: (e) => e.market.legalRepresentative.phone, parents: ['Enterprise.market', 'MarketProfile.legalRepresentative'] },
  'AnnualReport.totalAssets': { read: (e) => e.market.annualReports[0].totalAssets, parents: ['Enterprise.market', 'MarketProfile.annualReports'] },
  'TaxProfile.taxpayerType': { read: (e) => e.tax.taxpayerType, parents: ['Enterprise.tax'] },
  'TaxProfile.taxAuthority': { read: (e) => e.tax.taxAuthority, parents: ['Enterprise.tax'] },
  'TaxCreditRating.rating': { read: (e) => e.tax.creditRatings[0].rating, parents: ['Enterprise.tax', 'TaxProfile.creditRatings'] },
  'SocialProfile.employerNo': { read: (e) => e.social.employerNo, parents: ['Enterprise.social'] },
  'SocialProfile.insuredHeadcount': { read: (e) => e.social.insuredHeadcount, parents: ['Enterprise.social'] },
  'CustomsProfile.creditLevel': { read: (e) => e.customs.creditLevel, parents: ['Enterprise.customs'] },
  'CustomsProfile.customsCode': { read: (e) => e.customs.customsCode, parents: ['Enterprise.customs'] },
};
const COORDINATES = Object.keys(CELLS);

/** Each caller as the matrix names its profile. */
const PROFILES: [string, Caller][] = [
  ['public', CALLERS.public],
  ['TAX officer / TAX_ADMINISTRATION', CALLERS.taxOfficer],
  ['CUSTOMS officer / CUSTOMS_SUPERVISION', CALLERS.customsOfficer],
  ['SOCIAL officer / JOINT_PUNISHMENT', CALLERS.socialOfficerPunishing],
  ['MARKET officer / REGISTRATION_REVIEW', CALLERS.marketOfficer],
  ['approval system / PUBLIC_PROCUREMENT', { ...CALLERS.procurement, claims: { ...CALLERS.procurement.claims, agency: 'APPROVAL_BODY' } }],
  ['auditor / AUDIT', CALLERS.auditor],
];

async function answerAs(caller: Caller) {
  return graphql(federation.gatewayUrl, PROFILE, { u: subject.uscc }, await headersFor(federation, caller));
}

describe('the policy matrix', () => {
  it('agrees cell by cell with what the gateway returns to those callers', async () => {
    const parents = [...new Set(Object.values(CELLS).flatMap((c) => c.parents))];
    const columns = [...COORDINATES, ...parents];
    const { body } = await graphql(
      federation.gatewayUrl,
      'query($c: [String!]) { policyMatrix(coordinates: $c) { coordinates rows { profile effects } policyRevision } }',
      { c: columns },
      await auditor(),
    );
    expect(body.errors).toBeUndefined();
    const matrix = body.data!['policyMatrix'];
    expect(matrix.coordinates).toEqual(columns);
    // The full values, as each owning agency sees its own fields.
    const [market, tax, social, customs] = await Promise.all([CALLERS.marketOfficer, CALLERS.taxOfficer, CALLERS.socialOfficerAdministering, CALLERS.customsOfficer].map(answerAs));
    const ownerOf = (c: string) => (c.startsWith('Tax') ? tax : c.startsWith('Social') ? social : c.startsWith('Customs') ? customs : market)!;
    const full = Object.fromEntries(Object.entries(CELLS).map(([c, cell]) => [c, cell.read(ownerOf(c).body.data!['enterprise'])]));
    expect(Object.entries(full).filter(([, v]) => v === null || v === undefined)).toEqual([]);
    const masks = readCatalogue();
    for (const [name, caller] of PROFILES) {
      const row = matrix.rows.find((r: { profile: string }) => r.profile === name);
      expect(row, name).toBeDefined();
      const { body: answer } = await answerAs(caller);
      const denied = new Set((answer.errors ?? []).map((e) => e.extensions?.['coordinate']));
      const observed = COORDINATES.map((c) => {
        const cell = CELLS[c]!;
        if (denied.has(c) || cell.parents.some((p) => denied.has(p))) return 'DENY';
        const value = cell.read(answer.data!['enterprise']);
        if (value === full[c]) return 'ALLOW';
        // Masked means shown in its mask's exact form, not merely other than the owner's value.
        const mask = masks[c]?.mask;
        return mask && MASKED_FORMS[mask]!(value) ? 'MASK' : `neither the owner's value nor a ${mask ?? 'masked'} form: ${JSON.stringify(value)}`;
      });
      // What the matrix predicts: a field under a denied parent is out of reach, so denied too.
      const effect = (c: string) => row.effects[columns.indexOf(c)];
      const predicted = COORDINATES.map((c) => (CELLS[c]!.parents.some((p) => effect(p) === 'DENY') ? 'DENY' : effect(c)));
      expect(Object.fromEntries(COORDINATES.map((c, i) => [c, observed[i]])), name).toEqual(Object.fromEntries(COORDINATES.map((c, i) => [c, predicted[i]])));
    }
  });

  it('prints as CSV and Markdown from the command line, with the same cells', async () => {
    const csv = auditCli(federation, 'matrix', '--format', 'csv', '--coordinates', 'TaxProfile.arrears,LegalRepresentative.idNumber');
    expect(csv.status).toBe(0);
    const lines = csv.stdout.trim().split('\n');
    expect(lines[0]).toBe('profile,TaxProfile.arrears,LegalRepresentative.idNumber');
    expect(lines).toContain('CUSTOMS officer / CUSTOMS_SUPERVISION,DENY,MASK:ID_NUMBER');
    expect(lines).toContain('public,DENY,DENY');
    const md = auditCli(federation, 'matrix', '--format', 'md', '--coordinates', 'TaxProfile.arrears');
    expect(md.stdout).toContain('| SOCIAL officer / JOINT_PUNISHMENT | ALLOW |');
  });
});

describe('auditor tools', () => {
  it('are for auditors only', async () => {
    for (const caller of [CALLERS.public, CALLERS.taxOfficer]) {
      const { body } = await graphql(federation.gatewayUrl, '{ auditVerification { intact } }', undefined, await headersFor(federation, caller));
      expect(body.data).toEqual({ auditVerification: null });
      expect(body.errors![0]!.extensions).toMatchObject({ code: 'FORBIDDEN_FIELD', coordinate: 'Query.auditVerification' });
    }
  });

  it('show the catalogue: owner, sharing, personal, mask, purposes, description', async () => {
    const { body } = await graphql(federation.gatewayUrl, '{ classificationCatalogue { coordinate owners sharing personal mask purposes description } }', undefined, await auditor());
    const idNumber = body.data!['classificationCatalogue'].find((e: { coordinate: string }) => e.coordinate === 'LegalRepresentative.idNumber');
    expect(idNumber).toEqual({
      coordinate: 'LegalRepresentative.idNumber',
      owners: ['market'],
      sharing: 'CONDITIONAL',
      personal: true,
      mask: 'ID_NUMBER',
      purposes: ['JOINT_PUNISHMENT', 'REGISTRATION_REVIEW'],
      description: 'Resident identity number (GB 11643).',
    });
  });

  it('explain one decision, the same over GraphQL and the command line', async () => {
    const { body } = await graphql(
      federation.gatewayUrl,
      '{ explainAccess(caller: { agency: "CUSTOMS", roles: ["officer"] }, purpose: CUSTOMS_SUPERVISION, coordinate: "TaxProfile.arrears") { effect rule reason field { sharing purposes } } }',
      undefined,
      await auditor(),
    );
    expect(body.data!['explainAccess']).toEqual({
      effect: 'DENY',
      rule: 'conditional_purpose_missing',
      reason: 'shared only for CREDIT_SUPERVISION, FISCAL_SUBSIDY, JOINT_INCENTIVE, JOINT_PUNISHMENT, PUBLIC_PROCUREMENT; for CUSTOMS_SUPERVISION not shared (CONDITIONAL)',
      field: { sharing: 'CONDITIONAL', purposes: ['JOINT_PUNISHMENT', 'JOINT_INCENTIVE', 'CREDIT_SUPERVISION', 'FISCAL_SUBSIDY', 'PUBLIC_PROCUREMENT'] },
    });
    const cli = auditCli(federation, 'explain', '--agency', 'CUSTOMS', '--roles', 'officer', '--purpose', 'CUSTOMS_SUPERVISION', '--coordinate', 'TaxProfile.arrears');
    expect(cli.stdout).toContain('TaxProfile.arrears: DENY\n  rule:   conditional_purpose_missing\n');
  });

  it('search the log by enterprise, page by page, and by field decision', async () => {
    for (let i = 0; i < 3; i++) await answerAs(CALLERS.customsOfficer);
    const search = '{ auditLog(filter: { uscc: "%U" }, first: 2%A) { records { requestId enterprises principalAgency decisions { coordinate effect } } hasNextPage endCursor } }';
    const first = (await graphql(federation.gatewayUrl, search.replace('%U', subject.uscc).replace('%A', ''), undefined, await auditor())).body.data!['auditLog'];
    expect(first.records).toHaveLength(2);
    expect(first.hasNextPage).toBe(true);
    const second = (await graphql(federation.gatewayUrl, search.replace('%U', subject.uscc).replace('%A', `, after: "${first.endCursor}"`), undefined, await auditor())).body.data!['auditLog'];
    const all = [...first.records, ...second.records];
    expect(all.every((r: { enterprises: string[] }) => r.enterprises.includes(subject.uscc))).toBe(true);
    expect(new Set(all.map((r: { requestId: string }) => r.requestId)).size).toBe(all.length);

    const denied = (
      await graphql(
        federation.gatewayUrl,
        '{ auditLog(filter: { agency: "CUSTOMS", coordinate: "LegalRepresentative.idNumber", effect: MASK }, first: 5) { records { principalAgency decisions { coordinate effect } } } }',
        undefined,
        await auditor(),
      )
    ).body.data!['auditLog'];
    expect(denied.records.length).toBeGreaterThan(0);
    for (const r of denied.records) {
      expect(r.principalAgency).toBe('CUSTOMS');
      expect(r.decisions).toContainEqual({ coordinate: 'LegalRepresentative.idNumber', effect: 'MASK' });
    }
    // The command line finds the same records, newest first, as the auditors' query.
    // (The auditors' query names the enterprise in its filter, so it is itself the newest record.)
    const asked = await graphql(federation.gatewayUrl, search.replace('%U', subject.uscc).replace('2%A', '3'), undefined, await auditor());
    const newest = [asked.headers.get('x-request-id'), ...asked.body.data!['auditLog'].records.slice(0, 2).map((r: { requestId: string }) => r.requestId)];
    const cli = auditCli(federation, 'log', '--uscc', subject.uscc, '--limit', '3');
    expect(cli.status).toBe(0);
    const lines = cli.stdout.trim().split('\n');
    expect(lines.slice(0, 3).map((l) => l.split(/\s+/).at(-1))).toEqual(newest);
    expect(lines.slice(3)).toEqual(['… more; raise --limit or narrow the filters']);
  });

  it('search the log by subject, purpose, outcome and time, leaving out every record that does not match', async () => {
    const profile = 'query($u: USCC!) { enterprise(uscc: $u) { market { name } } }';
    const as = async (caller: Caller, purpose = caller.purpose!) => ({ ...(await headersFor(federation, caller)), 'x-purpose': purpose });
    const idOf = (res: { headers: Headers }) => res.headers.get('x-request-id')!;
    // A record is written, with the time of this machine's clock, before its answer is released:
    // once the clock has moved on after an answer, every later record is strictly later than its record.
    const clockMovesOn = async () => {
      const now = Date.now();
      while (Date.now() <= now) await new Promise((r) => setTimeout(r, 1));
    };

    const before = idOf(await graphql(federation.gatewayUrl, '{ __typename }'));
    await clockMovesOn();
    const start = idOf(await graphql(federation.gatewayUrl, '{ __typename }'));
    const registration = idOf(await graphql(federation.gatewayUrl, profile, { u: subject.uscc }, await as(CALLERS.marketOfficer)));
    const supervision = idOf(await graphql(federation.gatewayUrl, profile, { u: subject.uscc }, await as(CALLERS.marketOfficerSupervising)));
    const credit = idOf(await graphql(federation.gatewayUrl, profile, { u: subject.uscc }, await as(CALLERS.creditSupervisor)));
    // Refused at authentication (a purpose the token does not grant): nobody accepted, no purpose.
    const notGranted = await graphql(federation.gatewayUrl, profile, { u: subject.uscc }, await as(CALLERS.marketOfficer, 'TAX_ADMINISTRATION'));
    expect(notGranted.status).toBe(403);
    // Refused on its text (one field selected 31 times): the caller and purpose were accepted, and are on record.
    const overLimit = await graphql(federation.gatewayUrl, `{ ${'__typename '.repeat(31)}}`, undefined, await as(CALLERS.marketOfficer));
    expect(overLimit.body.errors?.[0]?.extensions?.['code']).toBe('SELECTION_LIMIT_EXCEEDED');
    const refused = [idOf(notGranted), idOf(overLimit)];
    await clockMovesOn();
    const end = idOf(await graphql(federation.gatewayUrl, '{ __typename }'));

    type Found = { requestId: string; at: string; principalSub: string | null; purpose: string | null; outcome: string };
    const search = async (filter: Record<string, unknown>) => {
      const { body } = await graphql(
        federation.gatewayUrl,
        'query($f: AuditLogFilter) { auditLog(filter: $f, first: 20) { records { requestId at principalSub purpose outcome } } }',
        { f: filter },
        await auditor(),
      );
      expect(body.errors).toBeUndefined();
      return body.data!['auditLog'].records as Found[];
    };
    const newest = await search({});
    const at = (id: string) => newest.find((r) => r.requestId === id)!.at;
    // Newest first; the markers either side of the window are in the log, outside it.
    const ids = (records: Found[]) => records.map((r) => r.requestId);
    expect(ids(newest).slice(0, 8)).toEqual([end, refused[1], refused[0], credit, supervision, registration, start, before]);

    // Time: from inclusive, to exclusive.
    const window = { from: at(start), to: at(end) };
    const inWindow = await search(window);
    expect(ids(inWindow)).toEqual([refused[1], refused[0], credit, supervision, registration, start]);
    expect(inWindow.slice(0, 2)).toMatchObject([
      { principalSub: 'market-officer-1', purpose: 'REGISTRATION_REVIEW', outcome: 'refused' },
      { principalSub: null, purpose: null, outcome: 'refused' },
    ]);

    // Each filter within the window: exactly the records that match, fewer than the window holds.
    const bySub = await search({ ...window, sub: 'market-officer-1' });
    expect(ids(bySub)).toEqual([refused[1], supervision, registration]);
    const byPurpose = await search({ ...window, purpose: 'CREDIT_SUPERVISION' });
    expect(ids(byPurpose)).toEqual([credit, supervision]);
    const byOutcome = await search({ ...window, outcome: 'refused' });
    expect(ids(byOutcome)).toEqual([refused[1], refused[0]]);
    // And what the records themselves say agrees with what each filter kept.
    expect(ids(inWindow.filter((r) => r.principalSub === 'market-officer-1'))).toEqual(ids(bySub));
    expect(ids(inWindow.filter((r) => r.purpose === 'CREDIT_SUPERVISION'))).toEqual(ids(byPurpose));
    expect(ids(inWindow.filter((r) => r.outcome === 'refused'))).toEqual(ids(byOutcome));
  });

  it("answer a filter the log's database could not read with the argument named, never the driver's words", async () => {
    const ask = async (filter: Record<string, unknown>, after?: string) =>
      (await graphql(federation.gatewayUrl, 'query($f: AuditLogFilter, $a: String) { auditLog(filter: $f, first: 1, after: $a) { records { requestId } } }', { f: filter, a: after }, await auditor()))
        .body;
    const cases: [Record<string, unknown>, string | undefined, string, string][] = [
      [{ from: 'not-a-time' }, undefined, 'BAD_USER_INPUT', 'filter.from'],
      [{ to: '2026-02-30T00:00:00Z' }, undefined, 'BAD_USER_INPUT', 'filter.to'],
      [{ outcome: 'fine' }, undefined, 'BAD_USER_INPUT', 'filter.outcome'],
      [{ sub: 'a\u0000b' }, undefined, 'BAD_USER_INPUT', 'filter.sub'],
      [{}, 'not-a-cursor', 'INVALID_CURSOR', 'after'],
    ];
    for (const [filter, after, code, argument] of cases) {
      const body = await ask(filter, after);
      expect(body.data?.['auditLog'] ?? null).toBeNull();
      expect(body.errors).toHaveLength(1);
      expect(body.errors![0]!.extensions).toMatchObject({ code, argument });
      expect(JSON.stringify(body)).not.toMatch(/syntax|timestamp|invalid byte|0x00|postgres|pglite/i);
    }
    // A well-formed time range is answered.
    const ok = await ask({ from: '2026-01-01T00:00:00+08:00', to: '2099-01-01T00:00:00Z' });
    expect(ok.errors).toBeUndefined();
  });
});
