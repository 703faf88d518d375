import { buildSchema, parse, print, type DocumentNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import type { CatalogueEntry } from '../catalogue.js';
import type { FieldDecision } from './accessPolicy.js';
import { applyDecisions, EnforcementError, pruneDocument, selectedCoordinates } from './enforcement.js';
import { createMasker } from './masking.js';

const schema = buildSchema(`
  scalar USCC
  type Query {
    enterprise(uscc: USCC!): Enterprise
    enterprises(uscc: [USCC!]!): [Enterprise]
    report(filter: Filter): String
  }
  input Filter { uscc: USCC, note: String }
  type Enterprise { uscc: USCC market: Market tax: Tax }
  type Market { name: String legalRepresentative: Person staff: [Person] }
  type Person { name: String idNumber: String }
  type Tax { arrears: [Arrear] rating: String }
  type Arrear { amount: Int }
`);

const A = '91350100M000100Y43';
const B = '911101010810111653';
const allow = (rule = 'unconditional'): FieldDecision => ({ effect: 'ALLOW', rule, reason: 'shared' });
const deny = (rule = 'conditional_purpose_missing'): FieldDecision => ({ effect: 'DENY', rule, reason: 'not shared' });
const mask = (m: string): FieldDecision => ({ effect: 'MASK', mask: m, rule: 'conditional_masked', reason: 'masked' });

/** Decisions for every coordinate of the test schema: allowed unless said otherwise. */
function decisions(overrides: Record<string, FieldDecision> = {}): Map<string, FieldDecision> {
  const all = ['Query.enterprise', 'Query.enterprises', 'Query.report', 'Enterprise.uscc', 'Enterprise.market', 'Enterprise.tax', 'Market.name', 'Market.legalRepresentative', 'Market.staff', 'Person.name', 'Person.idNumber', 'Tax.arrears', 'Tax.rating', 'Arrear.amount'];
  return new Map(all.map((c) => [c, overrides[c] ?? allow()]));
}

const catalogue = new Map<string, CatalogueEntry>();
const masker = createMasker(Buffer.from('enforcement-test'));

function apply(query: string, data: Record<string, unknown> | null, overrides: Record<string, FieldDecision> = {}, variables: Record<string, unknown> = {}, operationName?: string) {
  return applyDecisions(data, { schema, document: parse(query), operationName, variables, decisions: decisions(overrides), catalogue, mask: masker });
}

const errorsOf = (applied: ReturnType<typeof apply>) => applied.errors.map((e) => ({ path: e.path, code: e.extensions['code'], coordinate: e.extensions['coordinate'], rule: e.extensions['rule'] }));

describe('pruning before planning', () => {
  it('removes denied fields, wherever they are written, and keeps the rest', () => {
    const document = parse(`{ enterprise(uscc: "${A}") { market { name ...P legalRepresentative { n: idNumber } } } } fragment P on Market { legalRepresentative { idNumber name } }`);
    const { document: pruned, denied } = pruneDocument(schema, document, decisions({ 'Person.idNumber': deny() }));
    expect(denied).toBe(2);
    expect(print(pruned)).toBe(
      print(parse(`{ enterprise(uscc: "${A}") { market { name ...P legalRepresentative { __meg_pruned: __typename } } __meg_key: uscc } } fragment P on Market { legalRepresentative { name } }`)),
    );
  });

  it('keeps a selection set valid when every field in it is denied, with a placeholder', () => {
    const { document: pruned } = pruneDocument(schema, parse(`{ enterprise(uscc: "${A}") { tax { rating } } }`), decisions({ 'Tax.rating': deny() }));
    expect(print(pruned)).toContain('tax {\n      __meg_pruned: __typename\n    }');
  });

  it('asks for the key of every enterprise read, whether or not the caller did', () => {
    const { document: pruned } = pruneDocument(schema, parse(`{ enterprises(uscc: ["${A}"]) { market { name } } }`), decisions());
    expect(print(pruned)).toContain('__meg_key: uscc');
  });

  it('gives the same plan key for the same pruned document, another for another', () => {
    const query = parse(`{ enterprise(uscc: "${A}") { market { name legalRepresentative { idNumber } } } }`);
    const a = pruneDocument(schema, query, decisions({ 'Person.idNumber': deny() }));
    const b = pruneDocument(schema, query, decisions({ 'Person.idNumber': deny() }));
    const c = pruneDocument(schema, query, decisions());
    expect(a.queryHash).toBe(b.queryHash);
    expect(a.queryHash).not.toBe(c.queryHash);
  });
});

describe('applying decisions to a result', () => {
  it('puts null where a field is denied, under its alias, with an error naming the coordinate and the path', () => {
    const data = { enterprise: { market: { legalRepresentative: { id: '110101199003071234' } } } };
    const applied = apply(`{ enterprise(uscc: "${A}") { market { legalRepresentative { id: idNumber } } } }`, data, { 'Person.idNumber': deny() });
    expect(data.enterprise.market.legalRepresentative.id).toBeNull();
    expect(errorsOf(applied)).toEqual([{ path: ['enterprise', 'market', 'legalRepresentative', 'id'], code: 'FORBIDDEN_FIELD', coordinate: 'Person.idNumber', rule: 'conditional_purpose_missing' }]);
  });

  it('denies a coordinate the policy left undecided', () => {
    const data = { enterprise: { tax: { rating: 'A' } } };
    const overrides = Object.fromEntries([...decisions()].filter(([c]) => c !== 'Tax.rating'));
    const applied = applyDecisions(data, { schema, document: parse(`{ enterprise(uscc: "${A}") { tax { rating } } }`), operationName: undefined, variables: {}, decisions: new Map(Object.entries(overrides)), catalogue, mask: masker });
    expect(data.enterprise.tax.rating).toBeNull();
    expect(errorsOf(applied)).toEqual([{ path: ['enterprise', 'tax', 'rating'], code: 'FORBIDDEN_FIELD', coordinate: 'Tax.rating', rule: 'policy_error' }]);
  });

  it('masks every value of a masked field, inside lists too', () => {
    const data = { enterprise: { market: { staff: [{ idNumber: '110101199003071234' }, { idNumber: '11010119851212567X' }] }, tax: { arrears: [{ amount: 250_000 }, { amount: 12 }] } } };
    apply(`{ enterprise(uscc: "${A}") { market { staff { idNumber } } tax { arrears { amount } } } }`, data, { 'Person.idNumber': mask('ID_NUMBER'), 'Arrear.amount': mask('AMOUNT_BAND') });
    expect(data.enterprise.market.staff.map((s) => s.idNumber)).toEqual(['110101********1234', '110101********567X']);
    expect(data.enterprise.tax.arrears.map((a) => a.amount)).toEqual(['100k-1M', '0-10k']);
  });

  it('masks a field included through a fragment whose directive reads a variable left at its default', () => {
    const data = { enterprise: { market: { legalRepresentative: { idNumber: '110101199003071234' } } } };
    apply(
      `query($show: Boolean = true) { enterprise(uscc: "${A}") { market { legalRepresentative { ...Id @include(if: $show) } } } } fragment Id on Person { idNumber }`,
      data,
      { 'Person.idNumber': mask('ID_NUMBER') },
    );
    expect(data.enterprise.market.legalRepresentative.idNumber).toBe('110101********1234');
  });

  it('judges a value in the data even when a directive says its field was skipped', () => {
    const data = { enterprise: { market: { legalRepresentative: { idNumber: '110101199003071234' } } } };
    apply(`{ enterprise(uscc: "${A}") { market { legalRepresentative { idNumber @skip(if: true) } } } }`, data, { 'Person.idNumber': mask('ID_NUMBER') });
    expect(data.enterprise.market.legalRepresentative.idNumber).toBe('110101********1234');
  });

  it('reports a denied field under a parent that came back null, without a path into nothing', () => {
    const applied = apply(`{ enterprise(uscc: "${A}") { market { legalRepresentative { idNumber } } } }`, { enterprise: null }, { 'Person.idNumber': deny() });
    expect(errorsOf(applied)).toEqual([{ path: undefined, code: 'FORBIDDEN_FIELD', coordinate: 'Person.idNumber', rule: 'conditional_purpose_missing' }]);
  });

  it('withholds a value no selection of the operation accounts for, rather than release it unjudged', () => {
    // A value the subgraphs sent that the operation did not ask for (or a type it could not resolve).
    const data: Record<string, any> = { enterprise: { market: { name: '某公司', legalRepresentative: { idNumber: '110101199003071234' } } } };
    const applied = apply(`{ enterprise(uscc: "${A}") { market { name } } }`, data);
    expect(data['enterprise'].market).toEqual({ name: '某公司', legalRepresentative: null });
    expect(errorsOf(applied)).toEqual([{ path: ['enterprise', 'market', 'legalRepresentative'], code: 'FORBIDDEN_FIELD', coordinate: 'Market.legalRepresentative', rule: 'policy_error' }]);
  });

  it('withholds the whole answer when it cannot find the operation the decisions are for', () => {
    expect(() => apply('query A { enterprise(uscc: "x") { uscc } }', { enterprise: { uscc: A } }, {}, {}, 'B')).toThrow(EnforcementError);
  });

  it('takes out the keys it asked for and names the enterprises read, and those named by the fields that ran', () => {
    const data = { enterprises: [{ __meg_key: A, market: { name: 'a' } }, { __meg_key: B, market: { name: 'b' } }], report: 'r' };
    const applied = apply(
      `query($f: Filter, $skip: Boolean = true) { enterprises(uscc: ["${A}", "${B}"]) { market { name } } report(filter: $f) x: enterprise(uscc: "91440300708461136T") @skip(if: $skip) { uscc } }`,
      data,
      {},
      { f: { uscc: '91420100MA4KXXXX0X', note: 'n' } },
    );
    expect(data.enterprises).toEqual([{ market: { name: 'a' } }, { market: { name: 'b' } }]);
    // The filter's code is not a valid one: only valid codes are named; the skipped field's valid code did not run.
    expect([...applied.entities].sort()).toEqual([A, B].sort());
    const ran = apply(`query($skip: Boolean = false) { x: enterprise(uscc: "91440300708461136T") @skip(if: $skip) { uscc } }`, { x: { uscc: '91440300708461136T' } });
    expect([...ran.entities]).toEqual(['91440300708461136T']);
  });

  it('names no enterprise of a field the policy denies', () => {
    const applied = apply(`{ a: enterprise(uscc: "${A}") { uscc } b: enterprises(uscc: ["${B}"]) { uscc } }`, { a: { uscc: A }, b: null }, { 'Query.enterprises': deny() });
    expect([...applied.entities]).toEqual([A]);
  });
});

describe('the coordinates an operation selects', () => {
  it('are those of every field, through fragments and aliases, and none of introspection', () => {
    const document: DocumentNode = parse(`{ __typename e: enterprise(uscc: "${A}") { ...M } } fragment M on Enterprise { market { name } tax { ... on Tax { rating } } }`);
    expect(selectedCoordinates(schema, document)).toEqual(['Enterprise.market', 'Enterprise.tax', 'Market.name', 'Query.enterprise', 'Tax.rating']);
  });
});
