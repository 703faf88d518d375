import { buildSchema, parse, print, type DocumentNode, type GraphQLError } from 'graphql';
import type { Untyped } from '../../test/support/untyped.js';
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
    search(name: String, uscc: USCC): [Enterprise]
    party(id: String): Party
  }
  input Filter { uscc: USCC, note: String }
  type Enterprise { uscc: USCC market: Market tax: Tax }
  type Market implements Named { name: String legalRepresentative: Person staff: [Person] phones: [String] }
  type Person implements Named { name: String idNumber: String }
  interface Named { name: String }
  type Tax { arrears: [Arrear] rating: String filing: JSON }
  type Arrear { amount: Int }
  union Party = Person | Market
  scalar JSON
`);

const A = '91350100M000100Y43';
const B = '911101010810111653';
const allow = (rule = 'unconditional'): FieldDecision => ({ effect: 'ALLOW', rule, reason: 'shared' });
const deny = (rule = 'conditional_purpose_missing'): FieldDecision => ({ effect: 'DENY', rule, reason: 'not shared' });
const mask = (m: string): FieldDecision => ({ effect: 'MASK', mask: m, rule: 'conditional_masked', reason: 'masked' });

/** Decisions for every coordinate of the test schema (and those overridden): allowed unless said otherwise. */
function decisions(overrides: Record<string, FieldDecision> = {}): Map<string, FieldDecision> {
  const all = [
    'Query.enterprise',
    'Query.enterprises',
    'Query.report',
    'Query.search',
    'Query.party',
    'Enterprise.uscc',
    'Enterprise.market',
    'Enterprise.tax',
    'Market.name',
    'Market.legalRepresentative',
    'Market.staff',
    'Market.phones',
    'Person.name',
    'Person.idNumber',
    'Tax.arrears',
    'Tax.rating',
    'Tax.filing',
    'Arrear.amount',
  ];
  return new Map([...all.map((c): [string, FieldDecision] => [c, allow()]), ...Object.entries(overrides)]);
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

  it('leaves the fields the schema does not know where they are, for validation to refuse', () => {
    const document = parse(`{ enterprise(uscc: "${A}") { market { name } branch { name } } }`);
    const { document: pruned, denied } = pruneDocument(schema, document, decisions({ 'Market.name': deny() }));
    expect(denied).toBe(1);
    expect(print(pruned)).toBe(print(parse(`{ enterprise(uscc: "${A}") { market { __meg_pruned: __typename } branch { name } __meg_key: uscc } }`)));
  });

  it('prunes a denied field whatever its directives say, and one written on an interface that a type implementing it denies', () => {
    const document = parse(
      `query($on: Boolean = false) { party(id: "1") { ... on Named { name } } enterprise(uscc: "${A}") { market { name @include(if: $on) legalRepresentative @skip(if: true) { idNumber } } } }`,
    );
    const { document: pruned, denied } = pruneDocument(schema, document, decisions({ 'Market.name': deny(), 'Person.idNumber': deny() }));
    expect(denied).toBe(3);
    expect(print(pruned)).toBe(
      print(
        parse(
          `query($on: Boolean = false) { party(id: "1") { ... on Named { __meg_pruned: __typename } } enterprise(uscc: "${A}") { market { legalRepresentative @skip(if: true) { __meg_pruned: __typename } } __meg_key: uscc } }`,
        ),
      ),
    );
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
    const applied = applyDecisions(data, {
      schema,
      document: parse(`{ enterprise(uscc: "${A}") { tax { rating } } }`),
      operationName: undefined,
      variables: {},
      decisions: new Map(Object.entries(overrides)),
      catalogue,
      mask: masker,
    });
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
    apply(`query($show: Boolean = true) { enterprise(uscc: "${A}") { market { legalRepresentative { ...Id @include(if: $show) } } } } fragment Id on Person { idNumber }`, data, {
      'Person.idNumber': mask('ID_NUMBER'),
    });
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
    const data: Record<string, Untyped> = { enterprise: { market: { name: '某公司', legalRepresentative: { idNumber: '110101199003071234' } } } };
    const applied = apply(`{ enterprise(uscc: "${A}") { market { name } } }`, data);
    expect(data['enterprise'].market).toEqual({ name: '某公司', legalRepresentative: null });
    expect(errorsOf(applied)).toEqual([{ path: ['enterprise', 'market', 'legalRepresentative'], code: 'FORBIDDEN_FIELD', coordinate: 'Market.legalRepresentative', rule: 'policy_error' }]);
  });

  it('withholds the whole answer when it cannot find the operation the decisions are for', () => {
    expect(() => apply('query A { enterprise(uscc: "x") { uscc } }', { enterprise: { uscc: A } }, {}, {}, 'B')).toThrow(EnforcementError);
  });

  it('takes out the keys it asked for and names the enterprises read, and those named by the fields that ran', () => {
    const data = {
      enterprises: [
        { __meg_key: A, market: { name: 'a' } },
        { __meg_key: B, market: { name: 'b' } },
      ],
      report: 'r',
    };
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

describe('finding the operation to judge', () => {
  it('judges the operation asked for by name, wherever it stands in the document', () => {
    const data = { enterprise: { tax: { rating: 'A' } } };
    const applied = apply(`fragment T on Tax { rating } query A { report } query B { enterprise(uscc: "${A}") { tax { ...T } } }`, data, { 'Tax.rating': deny() }, {}, 'B');
    expect(data).toEqual({ enterprise: { tax: { rating: null } } });
    expect(errorsOf(applied)).toEqual([{ path: ['enterprise', 'tax', 'rating'], code: 'FORBIDDEN_FIELD', coordinate: 'Tax.rating', rule: 'conditional_purpose_missing' }]);
  });

  it('judges the one operation of a document that defines its fragments first', () => {
    const data = { enterprise: { tax: { rating: 'A' } } };
    const applied = apply(`fragment T on Tax { rating } { enterprise(uscc: "${A}") { tax { ...T } } }`, data, { 'Tax.rating': deny() });
    expect(data).toEqual({ enterprise: { tax: { rating: null } } });
    expect(errorsOf(applied)).toEqual([{ path: ['enterprise', 'tax', 'rating'], code: 'FORBIDDEN_FIELD', coordinate: 'Tax.rating', rule: 'conditional_purpose_missing' }]);
  });

  it('says which operation it could not find, or that it looked for an anonymous one', () => {
    const message = (name: string) => `the operation ${name} or its root type is not in the document or the schema`;
    expect(thrown(() => apply('{ report }', { report: 'r' }, {}, {}, 'B'))).toEqual({ name: 'EnforcementError', message: message('B') });
    expect(thrown(() => apply('fragment F on Query { report }', { report: 'r' }))).toEqual({ name: 'EnforcementError', message: message('(anonymous)') });
    // The schema has no mutations: the operation is there, its root type is not.
    expect(thrown(() => apply('mutation M { report }', { report: 'r' }, {}, {}, 'M'))).toEqual({ name: 'EnforcementError', message: message('M') });
  });
});

describe('judging what the data holds', () => {
  it('withholds what an object holds when every selection on it was skipped', () => {
    const data: Record<string, Untyped> = { enterprise: { market: { name: '某公司' } } };
    const applied = apply(`{ enterprise(uscc: "${A}") { tax @skip(if: true) { rating } } }`, data);
    expect(data).toEqual({ enterprise: { market: null } });
    expect(errorsOf(applied)).toEqual([{ path: ['enterprise', 'market'], code: 'FORBIDDEN_FIELD', coordinate: 'Enterprise.market', rule: 'policy_error' }]);
  });

  it('releases the fields selected beside a fragment and inside it alike', () => {
    const data = { enterprise: { market: { name: '某公司', legalRepresentative: { name: '王伟' } } } };
    const applied = apply(`{ enterprise(uscc: "${A}") { market { name ...R } } } fragment R on Market { legalRepresentative { name } }`, data);
    expect(data).toEqual({ enterprise: { market: { name: '某公司', legalRepresentative: { name: '王伟' } } } });
    expect(applied.errors).toEqual([]);
  });

  it('withholds a value that only a skipped or excluded fragment selects', () => {
    const data: Record<string, Untyped> = { enterprise: { market: { name: '某公司', legalRepresentative: { name: '王伟' }, staff: [{ name: '李娜' }] } } };
    const applied = apply(
      `{ enterprise(uscc: "${A}") { market { name ...R @skip(if: true) ... on Market @include(if: false) { staff { name } } } } } fragment R on Market { legalRepresentative { name } }`,
      data,
    );
    expect(data['enterprise'].market).toEqual({ name: '某公司', legalRepresentative: null, staff: null });
    expect(errorsOf(applied)).toEqual([
      { path: ['enterprise', 'market', 'legalRepresentative'], code: 'FORBIDDEN_FIELD', coordinate: 'Market.legalRepresentative', rule: 'policy_error' },
      { path: ['enterprise', 'market', 'staff'], code: 'FORBIDDEN_FIELD', coordinate: 'Market.staff', rule: 'policy_error' },
    ]);
  });

  it('reports nothing of a denied field the caller skipped or did not include', () => {
    const data = { enterprise: { market: { legalRepresentative: { name: '王伟' } } } };
    const applied = apply(
      `query($no: Boolean = false) { enterprise(uscc: "${A}") { market { legalRepresentative { name idNumber @skip(if: true) a: idNumber @include(if: false) b: idNumber @include(if: $no) } } } }`,
      data,
      { 'Person.idNumber': deny() },
    );
    expect(data).toEqual({ enterprise: { market: { legalRepresentative: { name: '王伟' } } } });
    expect(applied.errors).toEqual([]);
  });

  it('withholds a denied field the data holds though a directive skipped it, under the rule that denied it', () => {
    const data = { enterprise: { market: { legalRepresentative: { idNumber: '110101199003071234' as string | null } } } };
    const applied = apply(`{ enterprise(uscc: "${A}") { market { legalRepresentative { idNumber @skip(if: true) } } } }`, data, { 'Person.idNumber': deny() });
    expect(data.enterprise.market.legalRepresentative.idNumber).toBeNull();
    expect(errorsOf(applied)).toEqual([
      { path: ['enterprise', 'market', 'legalRepresentative', 'idNumber'], code: 'FORBIDDEN_FIELD', coordinate: 'Person.idNumber', rule: 'conditional_purpose_missing' },
    ]);
  });

  it('releases introspection without asking the policy', () => {
    const data = { __typename: 'Query', enterprise: { __typename: 'Enterprise', t: 'Enterprise', uscc: A } };
    const applied = apply(`{ __typename enterprise(uscc: "${A}") { __typename t: __typename uscc } }`, data);
    expect(data).toEqual({ __typename: 'Query', enterprise: { __typename: 'Enterprise', t: 'Enterprise', uscc: A } });
    expect(applied.errors).toEqual([]);
  });

  it('reports a field denied in every item of a list once, at its first occurrence', () => {
    const data = {
      enterprise: {
        market: {
          staff: [
            { name: '王伟', idNumber: '110101199003071234' as string | null },
            { name: '李娜', idNumber: '11010119851212567X' as string | null },
          ],
        },
      },
    };
    const applied = apply(`{ enterprise(uscc: "${A}") { market { staff { name idNumber } } } }`, data, { 'Person.idNumber': deny() });
    expect(data.enterprise.market.staff).toEqual([
      { name: '王伟', idNumber: null },
      { name: '李娜', idNumber: null },
    ]);
    expect(errorsOf(applied)).toEqual([{ path: ['enterprise', 'market', 'staff', 0, 'idNumber'], code: 'FORBIDDEN_FIELD', coordinate: 'Person.idNumber', rule: 'conditional_purpose_missing' }]);
  });

  it('passes over the null items of a list', () => {
    const data = { enterprise: { market: { staff: [null, { name: '李娜' }] } } };
    const applied = apply(`{ enterprise(uscc: "${A}") { market { staff { name } } } }`, data);
    expect(data).toEqual({ enterprise: { market: { staff: [null, { name: '李娜' }] } } });
    expect(applied.errors).toEqual([]);
  });

  it('withholds the keys no selection asked for inside the items of a list, and reports no null it was not asked for', () => {
    const data = {
      enterprise: {
        market: {
          staff: [
            { name: '王伟', idNumber: '110101199003071234' },
            { name: '李娜', idNumber: null },
          ],
        },
      },
    };
    const applied = apply(`{ enterprise(uscc: "${A}") { market { staff { name } } } }`, data);
    expect(data.enterprise.market.staff).toEqual([
      { name: '王伟', idNumber: null },
      { name: '李娜', idNumber: null },
    ]);
    expect(errorsOf(applied)).toEqual([{ path: ['enterprise', 'market', 'staff', 0, 'idNumber'], code: 'FORBIDDEN_FIELD', coordinate: 'Person.idNumber', rule: 'policy_error' }]);
  });

  it('releases an allowed scalar as the agency sent it, even one whose value is an object', () => {
    const data = { enterprise: { tax: { filing: { period: '2024Q1', lines: [{ amount: 10 }] } } } };
    const applied = apply(`{ enterprise(uscc: "${A}") { tax { filing } } }`, data);
    expect(data).toEqual({ enterprise: { tax: { filing: { period: '2024Q1', lines: [{ amount: 10 }] } } } });
    expect(applied.errors).toEqual([]);
  });

  it('masks every value of a masked list', () => {
    const data = { enterprise: { market: { phones: ['13812345678', '13987654321'] } } };
    apply(`{ enterprise(uscc: "${A}") { market { phones } } }`, data, { 'Market.phones': mask('PHONE') });
    expect(data.enterprise.market.phones).toEqual(['138****5678', '139****4321']);
  });

  it('judges a fragment only on values of its type: a field denied on one type is not withheld from another', () => {
    const data = { party: { __typename: 'Person', name: '王伟', idNumber: '110101199003071234' } };
    const applied = apply(`{ party(id: "1") { __typename ... on Person { name idNumber } ... on Market { name } } }`, data, { 'Market.name': deny(), 'Person.idNumber': mask('ID_NUMBER') });
    expect(data).toEqual({ party: { __typename: 'Person', name: '王伟', idNumber: '110101********1234' } });
    // The caller still learns that a market's name would have been withheld.
    expect(errorsOf(applied)).toEqual([{ path: undefined, code: 'FORBIDDEN_FIELD', coordinate: 'Market.name', rule: 'conditional_purpose_missing' }]);
  });

  it('masks a field selected twice under one response key once, as the executor answers it once', () => {
    const data = { enterprise: { market: { legalRepresentative: { idNumber: '110101199003071234' } }, tax: { arrears: [{ amount: 250_000 }] } } };
    const applied = apply(
      `{ enterprise(uscc: "${A}") { market { legalRepresentative { idNumber ...Id } } tax { arrears { amount ... on Arrear { amount } } } } } fragment Id on Person { idNumber }`,
      data,
      { 'Person.idNumber': mask('HASH'), 'Arrear.amount': mask('AMOUNT_BAND') },
    );
    // Masked twice, the hash would be of the hash (no longer linking records of one value) and the band of a band none.
    expect(data).toEqual({ enterprise: { market: { legalRepresentative: { idNumber: masker('HASH', '110101199003071234') } }, tax: { arrears: [{ amount: '100k-1M' }] } } });
    expect(applied.errors).toEqual([]);
  });

  it('judges a fragment on an interface on every object of a type that implements it', () => {
    const data = { party: { __typename: 'Person', name: '王伟', idNumber: '110101199003071234' } };
    const applied = apply(`{ party(id: "1") { __typename ... on Named { name } ... on Person { idNumber } } }`, data, { 'Person.idNumber': mask('ID_NUMBER') });
    expect(data).toEqual({ party: { __typename: 'Person', name: '王伟', idNumber: '110101********1234' } });
    expect(applied.errors).toEqual([]);
  });

  it('reports the denied fields of an answer without data', () => {
    const applied = apply(`{ enterprise(uscc: "${A}") { market { legalRepresentative { idNumber } } } }`, null, { 'Person.idNumber': deny() });
    expect(errorsOf(applied)).toEqual([{ path: undefined, code: 'FORBIDDEN_FIELD', coordinate: 'Person.idNumber', rule: 'conditional_purpose_missing' }]);
  });

  it('reports denied fields and names codes inside fragments under a parent that came back null', () => {
    const applied = apply(
      `{ ...Q } fragment Q on Query { enterprise(uscc: "${A}") { market { ...P ... on Market { staff { idNumber } } } } } fragment P on Market { legalRepresentative { idNumber } }`,
      { enterprise: null },
      { 'Person.idNumber': deny() },
    );
    expect(errorsOf(applied)).toEqual([
      { path: undefined, code: 'FORBIDDEN_FIELD', coordinate: 'Person.idNumber', rule: 'conditional_purpose_missing' },
      { path: undefined, code: 'FORBIDDEN_FIELD', coordinate: 'Person.idNumber', rule: 'conditional_purpose_missing' },
    ]);
    expect([...applied.entities]).toEqual([A]);
  });

  it('tells the caller in words why each field is withheld, with the sharing the catalogue gives it', () => {
    const data: Record<string, Untyped> = { enterprise: { market: { name: '某公司', legalRepresentative: { idNumber: '110101199003071234' } }, tax: { rating: 'A' } } };
    const all = decisions({ 'Person.idNumber': { effect: 'DENY', rule: 'conditional_purpose_missing', reason: 'the purpose does not allow ID numbers' } });
    all.delete('Tax.rating');
    const entry = (coordinate: string): CatalogueEntry => ({ coordinate, owners: ['market'], sharing: 'CONDITIONAL', personal: true, mask: 'ID_NUMBER', purposes: [], description: null });
    const applied = applyDecisions(data, {
      schema,
      document: parse(`{ enterprise(uscc: "${A}") { market { legalRepresentative { idNumber } } tax { rating } } }`),
      operationName: undefined,
      variables: {},
      decisions: all,
      catalogue: new Map([['Person.idNumber', entry('Person.idNumber')]]),
      mask: masker,
    });
    expect(applied.errors.map(wholeError)).toEqual([
      {
        message: 'Person.idNumber is not shared with this caller: the purpose does not allow ID numbers',
        path: ['enterprise', 'market', 'legalRepresentative', 'idNumber'],
        extensions: { code: 'FORBIDDEN_FIELD', coordinate: 'Person.idNumber', sharing: 'CONDITIONAL', rule: 'conditional_purpose_missing', reason: 'the purpose does not allow ID numbers' },
      },
      {
        message: 'Tax.rating is not shared with this caller: the policy did not decide this field, so it is denied',
        path: ['enterprise', 'tax', 'rating'],
        extensions: { code: 'FORBIDDEN_FIELD', coordinate: 'Tax.rating', sharing: null, rule: 'policy_error', reason: 'the policy did not decide this field, so it is denied' },
      },
      {
        message: 'Market.name is not shared with this caller: the gateway could not apply the policy to this value, so it is withheld',
        path: ['enterprise', 'market', 'name'],
        extensions: { code: 'FORBIDDEN_FIELD', coordinate: 'Market.name', sharing: null, rule: 'policy_error', reason: 'the gateway could not apply the policy to this value, so it is withheld' },
      },
    ]);
  });
});

describe('naming the enterprises read', () => {
  it('names an enterprise by the key it asked for, only when the key came back a code of an enterprise', () => {
    const data: Record<string, Untyped> = {
      search: [
        { __meg_key: A, market: { name: 'a', __meg_key: B } },
        { __meg_key: null, market: null },
      ],
    };
    const applied = apply(`{ search(name: "某") { market { name } } }`, data);
    expect([...applied.entities]).toEqual([A]);
    // A key where no enterprise is is not taken for one: it is a value no selection asked for.
    expect(data).toEqual({ search: [{ market: { name: 'a', __meg_key: null } }, { market: null }] });
  });

  it('names the enterprise any argument of a field names, not only its first', () => {
    const applied = apply(`{ search(name: "某", uscc: "${A}") { market { name } } }`, { search: [] });
    expect([...applied.entities]).toEqual([A]);
  });
});

describe('on a document the schema cannot account for', () => {
  it('withholds the value of a field whose type it cannot resolve, and reports it only where it held one', () => {
    const data: Record<string, Untyped> = { enterprise: { a: { name: '分公司' }, b: null } };
    const applied = apply(`{ enterprise(uscc: "${A}") { a: branch(id: "1") { name } b: branch(id: "2") { name } c: branch(id: "3") { name } } }`, data, { 'Enterprise.branch': allow() });
    expect(data).toEqual({ enterprise: { a: null, b: null } });
    expect(errorsOf(applied)).toEqual([{ path: ['enterprise', 'a'], code: 'FORBIDDEN_FIELD', coordinate: 'Enterprise.branch', rule: 'policy_error' }]);
  });

  it('withholds the values selected through a fragment it cannot find or whose type it cannot resolve', () => {
    const data: Record<string, Untyped> = { enterprise: { market: { name: '某公司' } } };
    const applied = apply(`{ enterprise(uscc: "${A}") { market { ...Gone ... on Nowhere { name } ... on USCC { name } } } }`, data);
    expect(data).toEqual({ enterprise: { market: { name: null } } });
    expect(errorsOf(applied)).toEqual([{ path: ['enterprise', 'market', 'name'], code: 'FORBIDDEN_FIELD', coordinate: 'Market.name', rule: 'policy_error' }]);
  });

  it('withholds a scalar selected as if it were an object', () => {
    const data: Record<string, Untyped> = { enterprise: { uscc: A } };
    const applied = apply(`{ enterprise(uscc: "${A}") { uscc { code } } }`, data);
    expect(data).toEqual({ enterprise: { uscc: null } });
    expect(errorsOf(applied)).toEqual([{ path: ['enterprise', 'uscc'], code: 'FORBIDDEN_FIELD', coordinate: 'Enterprise.uscc', rule: 'policy_error' }]);
  });

  it('applies the decisions to a document built without the lists the AST leaves optional', () => {
    // The gateway builds such fields itself (see pruneDocument); a document may come without them.
    const data = { enterprise: { market: { legalRepresentative: { name: '王伟', idNumber: '110101199003071234' } } }, report: 'r' };
    const applied = applyDecisions(data, {
      schema,
      document: withoutEmptyLists(parse(`{ enterprise(uscc: "${A}") { market { legalRepresentative { name idNumber } } } report }`)),
      operationName: undefined,
      variables: {},
      decisions: decisions({ 'Person.idNumber': mask('ID_NUMBER') }),
      catalogue,
      mask: masker,
    });
    expect(data).toEqual({ enterprise: { market: { legalRepresentative: { name: '王伟', idNumber: '110101********1234' } } }, report: 'r' });
    expect(applied).toEqual({ errors: [], entities: new Set([A]) });
  });
});

describe('the coordinates an operation selects', () => {
  it('are those of every field, through fragments and aliases, and none of introspection', () => {
    const document: DocumentNode = parse(`{ __typename e: enterprise(uscc: "${A}") { ...M } } fragment M on Enterprise { market { name } tax { ... on Tax { rating } } }`);
    expect(selectedCoordinates(schema, document)).toEqual(['Enterprise.market', 'Enterprise.tax', 'Market.name', 'Query.enterprise', 'Tax.rating']);
  });

  it('are those on both sides of every @skip and @include, and of each type implementing an interface a field is written on', () => {
    const document = parse(`query($on: Boolean = false) { party(id: "1") { ... on Named { name } } enterprise(uscc: "${A}") @skip(if: true) { tax @include(if: $on) { rating } } }`);
    expect(selectedCoordinates(schema, document)).toEqual(['Enterprise.tax', 'Market.name', 'Person.name', 'Query.enterprise', 'Query.party', 'Tax.rating']);
  });

  it('leave out the fields of the introspection types', () => {
    const document = parse(`{ __schema { queryType { name } } __type(name: "Enterprise") { fields { name type { name } } } enterprise(uscc: "${A}") { __typename uscc } }`);
    expect(selectedCoordinates(schema, document)).toEqual(['Enterprise.uscc', 'Query.enterprise']);
  });
});

/** The name and message of what `run` throws. */
function thrown(run: () => unknown): { name: string; message: string } | undefined {
  try {
    run();
  } catch (error) {
    return { name: (error as Error).name, message: (error as Error).message };
  }
  return undefined;
}

/** What a caller reads of an error. */
function wholeError(error: GraphQLError) {
  return { message: error.message, path: error.path, extensions: error.extensions };
}

/** The document as JSON, without the empty lists (arguments, directives, variables) the AST may leave out. */
function withoutEmptyLists(document: DocumentNode): DocumentNode {
  return JSON.parse(JSON.stringify(document), (_key, value: unknown) => (Array.isArray(value) && value.length === 0 ? undefined : value)) as DocumentNode;
}
