/**
 * The gateway under fuzzing (issue 7): random valid, mutated and invalid operations from the
 * supergraph, as every kind of caller. Never a 5xx, never a crash, never a denied value, never an
 * unmasked one, never an owner's raw value in any string of an answer (a cursor included). A
 * failure prints each case's seed and text; `buildCase(schema, codes, seed, focusCoordinates(schema, readCatalogue(),
 * oracleDecisions(schema, [caller]).get(caller.name)))` from test/support/fuzz.ts builds the same
 * case again.
 *
 * The oracle is not the gateway's code: decisions come from the Rego source through `opa eval`,
 * masks are checked against their exact forms, and what was checked is counted from the answer.
 */
import { parse, type GraphQLSchema } from 'graphql';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { CALLERS } from '../support/callers.js';
import { checkResponse, decisionsFor, judgeResponse, loadAccessPolicy, loadApiSchema, MASKED_FORMS, oracleDecisions, reachableMasked, runFuzz, type FuzzViolation } from '../support/fuzz.js';
import type { RegoDecision } from '../support/policyOracle.js';
import { loadRawValues, secretsFor } from '../support/rawValues.js';
import { universe } from '../support/universe.js';
import type { AccessPolicy } from '../../gateway/policy/accessPolicy.js';

const federation = inject('federation');
const codes = universe(federation.seed, 200).map((e) => e.uscc);
/** Fixed, so that a failure in CI is the same failure on a laptop; set MEG_FUZZ_SEED to explore. */
const SEED = Number(process.env['MEG_FUZZ_SEED'] ?? 7);
const CASES = 1_300;

describe('the gateway under fuzzing', () => {
  it(`answers ${CASES} random operations as every caller without a 5xx, a crash, a denied value or an unmasked one`, async () => {
    const callers = Object.values(CALLERS);
    const started = performance.now();
    const rawValues = await loadRawValues(federation.env, codes);
    const report = await runFuzz({ gatewayUrl: federation.gatewayUrl, keysDir: federation.keysDir, cases: CASES, seed: SEED, codes, callers, rawValues });
    console.log(`fuzz: ${report.cases} cases in ${Math.round(performance.now() - started)} ms`, JSON.stringify({ byKind: report.byKind, statuses: report.statuses, byCaller: report.byCaller }));

    expect(firstOfEachKind(report.violations), `${report.violations.length} violations`).toEqual([]);
    expect(report.cases).toBe(CASES);
    // The generator must mostly produce operations the graph answers, or the oracle checks little.
    expect(report.byKind.valid.answered / report.byKind.valid.cases).toBeGreaterThan(0.5);
    // Not vacuous: for every caller, answers whose data held a field the policy denies it, and,
    // for every caller shown something masked, answers holding masked values, each judged.
    const schema = await loadApiSchema();
    const oracle = oracleDecisions(schema, callers);
    for (const caller of callers) {
      const decided = [...oracle.get(caller.name)!.values()];
      expect(decided.some((d) => d.effect === 'DENY')).toBe(true);
      expect(report.byCaller[caller.name]!.metDenied, `answered cases of ${caller.name} whose data held a denied field`).toBeGreaterThan(0);
      if (reachableMasked(schema, oracle.get(caller.name)!).length > 0) {
        expect(report.byCaller[caller.name]!.metMasked, `answered cases of ${caller.name} whose data held a masked value`).toBeGreaterThan(0);
      }
    }
    // The leak invariant read the employees' cursors where it matters: as the caller who sees
    // employees only masked (their names and ID numbers are the list's sort key).
    expect(report.byCaller[CALLERS.taxOfficer.name]!.cursors).toBeGreaterThan(0);
  }, 120_000);
});

describe('the oracle', () => {
  let schema: GraphQLSchema;
  let policy: AccessPolicy;
  let oracle: Map<string, ReadonlyMap<string, RegoDecision>>;
  beforeAll(async () => {
    [schema, policy] = await Promise.all([loadApiSchema(), loadAccessPolicy()]);
    oracle = oracleDecisions(schema, Object.values(CALLERS));
  });
  const decisionsOf = (caller: (typeof CALLERS)[keyof typeof CALLERS]) => oracle.get(caller.name)!;

  it("decides as the gateway's compiled policy does, for every caller on every field, from the Rego source", () => {
    let masked = 0;
    let denied = 0;
    for (const caller of Object.values(CALLERS)) {
      const gateway = decisionsFor(schema, policy, caller);
      const rego = decisionsOf(caller);
      expect(rego.size).toBe(gateway.size);
      for (const [coordinate, d] of rego) {
        expect({ coordinate, caller: caller.name, ...gateway.get(coordinate) }).toEqual({ coordinate, caller: caller.name, ...d });
        if (d.effect === 'MASK') masked++;
        if (d.effect === 'DENY') denied++;
      }
    }
    // Every effect is among them, so the agreement is on something.
    expect(masked).toBeGreaterThan(0);
    expect(denied).toBeGreaterThan(0);
  });

  it('holds each mask to its exact form', () => {
    const forms: [string, string[], string[]][] = [
      ['ID_NUMBER', ['520103********1493', '520103********149X'], ['520103*1493', '5201********1493', '520103199001011493', '520103********14', '********']],
      ['PHONE', ['138****5678'], ['138*5678', '13812345678', '****', '138****567']],
      ['NAME', ['王*', '欧**'], ['王小明', '**', ' *']],
      ['DATE_YEAR', ['2019'], ['2019-03', '19']],
      ['AMOUNT_BAND', ['10k-100k'], ['12345', '10k']],
      ['HASH', ['h:abcdefghijklmnopqrstuv'], ['h:short', 'abcdefghijklmnopqrstuvwx']],
    ];
    for (const [mask, good, bad] of forms) {
      for (const v of good) expect({ mask, v, ok: MASKED_FORMS[mask]!(v) }).toEqual({ mask, v, ok: true });
      for (const v of bad) expect({ mask, v, ok: MASKED_FORMS[mask]!(v) }).toEqual({ mask, v, ok: false });
    }
  });

  it('counts the denied keys and masked values it judged, from the answer', () => {
    const judged = judgeResponse({ schema, document: parse(QUERY), operationName: null, status: 200, body: answer('520103********1493'), decisions: decisionsOf(CALLERS.taxOfficer) });
    expect(judged).toEqual({ violations: [], deniedKeys: 0, maskedValues: 1 });
    const publicly = judgeResponse({ schema, document: parse(QUERY), operationName: null, status: 200, body: answer(null), decisions: decisionsOf(CALLERS.public) });
    expect(publicly.violations).toEqual([]);
    expect(publicly.deniedKeys).toBe(1);
  });

  const QUERY = '{ enterprise(uscc: "91350100M000100Y43") { uscc market { legalRepresentative { name idNumber } } } }';
  const answer = (idNumber: string | null) => JSON.stringify({ data: { enterprise: { uscc: '91350100M000100Y43', market: { legalRepresentative: { name: '戴磊', idNumber } } } } });
  const check = (caller: (typeof CALLERS)[keyof typeof CALLERS], body: string, query = QUERY) =>
    checkResponse({ schema, document: parse(query), operationName: null, status: 200, body, decisions: decisionsOf(caller) });

  it('reports a value of a field the policy denies the caller', () => {
    expect(check(CALLERS.public, answer(null))).toEqual([]);
    expect(check(CALLERS.public, answer('520103199001011493'))).toEqual([expect.stringMatching(/^enterprise\.market\.legalRepresentative\.idNumber: LegalRepresentative\.idNumber is denied/)]);
  });

  it('reports a value not in its mask where the policy masks it', () => {
    expect(check(CALLERS.taxOfficer, answer('520103********1493'))).toEqual([]);
    expect(check(CALLERS.taxOfficer, answer('520103199001011493'))).toEqual([expect.stringMatching(/LegalRepresentative\.idNumber is masked \(ID_NUMBER\) but reads "520103199001011493"/)]);
  });

  it('judges every value in the data, whatever a directive on its field says', () => {
    const directed = 'query($b: Boolean = true) { enterprise(uscc: "91350100M000100Y43") { uscc market { legalRepresentative { name idNumber @include(if: $b) } } } }';
    expect(check(CALLERS.taxOfficer, answer('520103199001011493'), directed)).toEqual([expect.stringMatching(/is masked \(ID_NUMBER\)/)]);
  });

  it("reports an owner's raw value wherever it appears in the answer, a cursor or an error included", () => {
    const raw = new Map([
      ['LegalRepresentative.idNumber', new Set(['520103199001011493'])],
      ['LegalRepresentative.name', new Set(['戴磊'])],
      ['Employee.name', new Set(['王小明'])],
      ['Employee.idNumber', new Set(['110101199003071234'])],
    ]);
    const secrets = secretsFor(raw, decisionsOf(CALLERS.taxOfficer));
    const leaking = (body: unknown) =>
      checkResponse({ schema, document: parse(QUERY), operationName: null, status: 200, body: JSON.stringify(body), decisions: decisionsOf(CALLERS.taxOfficer), secrets });
    const cursor = Buffer.from(JSON.stringify(['王小明', '110101199003071234'])).toString('base64url');
    expect(leaking({ data: { enterprise: null }, errors: [{ message: `no page after ${cursor}` }] })).toEqual([
      expect.stringMatching(/^Employee\.idNumber: a raw value appears/),
      expect.stringMatching(/^Employee\.name: a raw value appears/),
    ]);
    expect(leaking({ data: { enterprise: null }, errors: [{ message: 'x', extensions: { id: 'id 520103199001011493 here' } }] })).toEqual([
      expect.stringMatching(/^LegalRepresentative\.idNumber: a raw value appears in the answer in "id 520103199001011493 here"/),
    ]);
    // Glued to other digits, hex-encoded, or a name inside a longer run of characters: still found.
    expect(leaking({ data: { enterprise: null }, errors: [{ message: 'ref 99520103199001011493001' }] })).toEqual([expect.stringMatching(/^LegalRepresentative\.idNumber: /)]);
    expect(leaking({ data: { enterprise: null }, errors: [{ message: Buffer.from('王小明|110101199003071234').toString('hex') }] })).toEqual([
      expect.stringMatching(/^Employee\.idNumber: /),
      expect.stringMatching(/^Employee\.name: /),
    ]);
    // A tax officer sees the legal representative's name in clear: that is no leak.
    expect(leaking({ data: { enterprise: { uscc: '91350100M000100Y43', market: { legalRepresentative: { name: '戴磊', idNumber: '520103********1493' } } } } })).toEqual([]);
  });

  it('reports a 5xx and a body that is not a GraphQL response', () => {
    const fail = (status: number, body: string) => checkResponse({ schema, document: null, operationName: null, status, body, decisions: new Map() });
    expect(fail(500, JSON.stringify({ errors: [{ message: 'internal error' }] }))).toEqual([expect.stringMatching(/^HTTP 500/)]);
    expect(fail(200, '<html>')).toEqual([expect.stringMatching(/not JSON/)]);
    expect(fail(200, '{}')).toEqual([expect.stringMatching(/neither data nor errors/)]);
  });
});

/** The first violation of each kind (its message without path and value), each with its case. */
function firstOfEachKind(violations: readonly FuzzViolation[]): string[] {
  const kinds = new Map<string, FuzzViolation>();
  for (const v of violations) {
    const kind = v.violation.replace(/^[\w.]+: /, '').slice(0, 50);
    if (!kinds.has(kind)) kinds.set(kind, v);
  }
  return [...kinds.values()].slice(0, 8).map((v) => `seed ${v.seed} (${v.kind}, as ${v.caller}): ${v.violation}\n  ${v.text.slice(0, 600)}`);
}
