/**
 * The gateway under fuzzing (issue 7): random valid, mutated and invalid operations from the
 * supergraph, as every kind of caller. Never a 5xx, never a crash, never a denied value, never an
 * unmasked one, never an owner's raw value in any string of an answer (a cursor included). A
 * failure prints each case's seed and text; `buildCase(schema, codes, seed, focusCoordinates(policy,
 * decisionsFor(schema, policy, caller)))` from test/support/fuzz.ts builds the same case again.
 */
import { parse, type GraphQLSchema } from 'graphql';
import { beforeAll, describe, expect, inject, it } from 'vitest';
import { CALLERS } from '../support/callers.js';
import { checkResponse, decisionsFor, loadAccessPolicy, loadApiSchema, runFuzz, type FuzzViolation } from '../support/fuzz.js';
import { loadRawValues, secretsFor } from '../support/rawValues.js';
import { universe } from '../support/universe.js';
import type { AccessPolicy } from '../../gateway/policy/accessPolicy.js';

const federation = inject('federation');
const codes = universe(federation.seed, 200).map((e) => e.uscc);
/** Fixed, so that a failure in CI is the same failure on a laptop; set MEG_FUZZ_SEED to explore. */
const SEED = Number(process.env['MEG_FUZZ_SEED'] ?? 7);
const CASES = 600;

describe('the gateway under fuzzing', () => {
  it(`answers ${CASES} random operations as every caller without a 5xx, a crash, a denied value or an unmasked one`, async () => {
    const callers = Object.values(CALLERS);
    const started = performance.now();
    const rawValues = await loadRawValues(federation.env, codes);
    const report = await runFuzz({ gatewayUrl: federation.gatewayUrl, keysDir: federation.keysDir, cases: CASES, seed: SEED, codes, callers, rawValues });
    console.log(`fuzz: ${report.cases} cases in ${Math.round(performance.now() - started)} ms`, JSON.stringify({ byKind: report.byKind, statuses: report.statuses }));

    expect(firstOfEachKind(report.violations), `${report.violations.length} violations`).toEqual([]);
    expect(report.cases).toBe(CASES);
    // The generator must mostly produce operations the graph answers, or the oracle checks little.
    expect(report.byKind.valid.answered / report.byKind.valid.cases).toBeGreaterThan(0.5);
    for (const caller of callers) {
      expect(report.byCaller[caller.name]!.selectedDenied, `answered cases of ${caller.name} that selected a denied field`).toBeGreaterThan(0);
    }
    // The leak invariant read the employees' cursors where it matters: as the caller who sees
    // employees only masked (their names and ID numbers are the list's sort key).
    expect(report.byCaller[CALLERS.taxOfficer.name]!.cursors).toBeGreaterThan(0);
  }, 120_000);
});

describe('the oracle', () => {
  let schema: GraphQLSchema;
  let policy: AccessPolicy;
  beforeAll(async () => {
    [schema, policy] = await Promise.all([loadApiSchema(), loadAccessPolicy()]);
  });

  const QUERY = '{ enterprise(uscc: "91350100M000100Y43") { uscc market { legalRepresentative { name idNumber } } } }';
  const answer = (idNumber: string | null) =>
    JSON.stringify({ data: { enterprise: { uscc: '91350100M000100Y43', market: { legalRepresentative: { name: '戴磊', idNumber } } } } });
  const check = (caller: (typeof CALLERS)[keyof typeof CALLERS], body: string, query = QUERY) =>
    checkResponse({ schema, document: parse(query), operationName: null, status: 200, body, decisions: decisionsFor(schema, policy, caller) });

  it('reports a value of a field the policy denies the caller', () => {
    expect(check(CALLERS.public, answer(null))).toEqual([]);
    expect(check(CALLERS.public, answer('520103199001011493'))).toEqual([
      expect.stringMatching(/^enterprise\.market\.legalRepresentative\.idNumber: LegalRepresentative\.idNumber is denied/),
    ]);
  });

  it('reports a value not in its mask where the policy masks it', () => {
    expect(check(CALLERS.taxOfficer, answer('520103********1493'))).toEqual([]);
    expect(check(CALLERS.taxOfficer, answer('520103199001011493'))).toEqual([
      expect.stringMatching(/LegalRepresentative\.idNumber is masked \(ID_NUMBER\) but reads "520103199001011493"/),
    ]);
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
    const secrets = secretsFor(raw, decisionsFor(schema, policy, CALLERS.taxOfficer));
    const leaking = (body: unknown) =>
      checkResponse({ schema, document: parse(QUERY), operationName: null, status: 200, body: JSON.stringify(body), decisions: decisionsFor(schema, policy, CALLERS.taxOfficer), secrets });
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
