import { buildSchema, GraphQLError, parse, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { checkDocumentShape, DEFAULT_LIMITS, enforceLimits, type OperationLimits } from './limits.js';

/** The shapes of the graph the limits care about: codes, pages, lists, coordinates, input objects. */
const schema = buildSchema(`
  scalar USCC
  type Query {
    enterprise(uscc: USCC!): Enterprise
    enterprises(uscc: [USCC!]!): [Enterprise]
    searchEnterprises(first: Int = 20, after: String): EnterpriseConnection
    jointReviewBatch(uscc: [USCC!]!, matter: String!): [Review]
    policyMatrix(coordinates: [String!]): Matrix
    explainAccess(coordinate: String!): String
    auditLog(filter: AuditFilter, first: Int = 50): [String]
  }
  input AuditFilter { uscc: USCC, sub: String }
  type Enterprise { uscc: USCC market: Market employees(first: Int = 20): EmployeeConnection related(uscc: [USCC!]!): [Enterprise] }
  type Market { name: String penalties: [Penalty] }
  type Penalty { decisionNo: String amount: Int }
  type EnterpriseConnection { edges: [EnterpriseEdge] }
  type EnterpriseEdge { cursor: String node: Enterprise }
  type EmployeeConnection { edges: [EmployeeEdge] }
  type EmployeeEdge { cursor: String node: Employee }
  type Employee { name: String }
  type Review { outcome: String }
  type Matrix { rows: [String] }
`);

const CODE = '91350100M000100Y43';
const CODES = ['91350100M000100Y43', '911101010810111653'];

/** The limits of the gateway, with some made smaller where a test needs it. */
function limits(overrides: Partial<OperationLimits> = {}): OperationLimits {
  return { ...DEFAULT_LIMITS, ...overrides };
}

/** Measures `query` (its only operation) as the gateway does after validation. */
function measure(query: string, variables: Record<string, unknown> = {}, overrides: Partial<OperationLimits> = {}) {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === 'OperationDefinition')!;
  return enforceLimits(schema, document, operation, variables, limits(overrides), { catalogueSize: 207 });
}

/** The GraphQL error `fn` throws. */
function refusal(fn: () => unknown): GraphQLError {
  try {
    fn();
  } catch (error) {
    if (error instanceof GraphQLError) return error;
    throw error;
  }
  throw new Error('nothing was refused');
}

/** A chain of `n` fragments, each but the last spreading the next twice: 2^(n−1) fields once expanded, about 3n written. */
function fragmentChain(n: number, leaf = 'uscc'): string {
  const fragments = Array.from({ length: n }, (_, i) =>
    i === n - 1 ? `fragment F${i} on Enterprise { ${leaf} }` : `fragment F${i} on Enterprise { ...F${i + 1} ... on Enterprise { ...F${i + 1} } }`,
  );
  return `{ enterprise(uscc: "${CODE}") { ...F0 } } ${fragments.join(' ')}`;
}

describe('the shape of a document, before validation', () => {
  it('lets through what the explorer and the profile pages send', () => {
    expect(() => checkDocumentShape(parse(`{ enterprise(uscc: "${CODE}") { uscc market { name penalties { decisionNo amount } } } }`), limits())).not.toThrow();
  });

  it('refuses more selections than the limit, with its own code, and accepts exactly the limit', () => {
    const fields = (n: number) => parse(`{ enterprise(uscc: "${CODE}") { ${Array.from({ length: n }, (_, i) => `a${i}: uscc`).join(' ')} } }`);
    // The root field is a selection too.
    expect(() => checkDocumentShape(fields(299), limits())).not.toThrow();
    const error = refusal(() => checkDocumentShape(fields(300), limits()));
    expect(error.extensions['code']).toBe('SELECTION_LIMIT_EXCEEDED');
    expect(error.message).toBe('the document selects 301 fields and fragments or more; at most 300 are allowed');
  });

  it('refuses one response key selected too often in one selection set, through inline fragments and spreads', () => {
    const direct = (n: number) => parse(`{ enterprise(uscc: "${CODE}") { ${'uscc '.repeat(n)} } }`);
    expect(() => checkDocumentShape(direct(30), limits())).not.toThrow();
    expect(refusal(() => checkDocumentShape(direct(31), limits())).message).toBe('"uscc" is selected 31 times in one selection set; at most 30 are allowed');
    const hidden = parse(
      `{ enterprise(uscc: "${CODE}") { ${'... on Enterprise { uscc } '.repeat(16)} ...A ...B } } fragment A on Enterprise { ${'uscc '.repeat(8)} } fragment B on Enterprise { ${'uscc '.repeat(8)} }`,
    );
    expect(refusal(() => checkDocumentShape(hidden, limits())).extensions['code']).toBe('SELECTION_LIMIT_EXCEEDED');
  });

  it('counts a fragment spread twice in one set once, as validation compares it once', () => {
    const twice = parse(`{ enterprise(uscc: "${CODE}") { ...A ...A } } fragment A on Enterprise { ${'uscc '.repeat(20)} }`);
    expect(() => checkDocumentShape(twice, limits())).not.toThrow();
  });

  it('refuses the aliases the gateway keeps for itself', () => {
    const error = refusal(() => checkDocumentShape(parse(`{ enterprise(uscc: "${CODE}") { __meg_key: market { name } } }`), limits()));
    expect(error.extensions['code']).toBe('RESERVED_ALIAS');
  });

  it('measures a chain of fragments that doubles at every link without following every path', () => {
    // 2^60 paths: following each would never end; the fragments are measured once each.
    expect(() => checkDocumentShape(parse(fragmentChain(60)), limits())).not.toThrow();
  });

  it('does not loop on fragments that spread each other (validation refuses them next)', () => {
    const cyclic = parse(`{ enterprise(uscc: "${CODE}") { ...A } } fragment A on Enterprise { ...B } fragment B on Enterprise { ...A uscc }`);
    expect(() => checkDocumentShape(cyclic, limits())).not.toThrow();
  });
});

describe('the limits of an operation', () => {
  it('measures a chain of fragments doubling at every link once per fragment, and refuses what it expands to', () => {
    // 2^60 fields once expanded: the depth is small, the aliases none, the cost enormous.
    const error = refusal(() => measure(fragmentChain(60)));
    expect(error.extensions['code']).toBe('COST_LIMIT_EXCEEDED');
    expect(error.message).toMatch(/^the operation may return about \d+ values or more; at most 100000 are allowed/);
    // Short of the limit, the expanded count is exact: 2^9 fields under the enterprise, and the enterprise.
    expect(measure(fragmentChain(10)).cost).toBe(1 + 512);
  });

  it('counts aliases and directives as the operation expands them', () => {
    const aliased = fragmentChain(6, 'a: uscc');
    expect(measure(aliased, {}, { maxAliases: 32 }).aliases).toBe(32);
    expect(refusal(() => measure(aliased, {}, { maxAliases: 31 })).extensions['code']).toBe('ALIAS_LIMIT_EXCEEDED');
    // 2^59 aliases once expanded, counted without expanding them.
    expect(refusal(() => measure(fragmentChain(60, 'a: uscc'), {}, { maxCost: Number.POSITIVE_INFINITY })).extensions['code']).toBe('ALIAS_LIMIT_EXCEEDED');
    const directed = `{ enterprise(uscc: "${CODE}") { ...A ...A @include(if: true) } } fragment A on Enterprise @skip(if: false) { uscc @include(if: true) }`;
    // The spread's directive once, and the fragment's two at each of its two spreads.
    expect(measure(directed).directives).toBe(5);
  });

  it('refuses one directive past the limit, counting those on fragments and their spreads', () => {
    const directed = (n: number) => `{ enterprise(uscc: "${CODE}") { ...A } } fragment A on Enterprise @skip(if: false) { ${Array.from({ length: n - 1 }, (_, i) => `f${i}: uscc @include(if: true)`).join(' ')} }`;
    expect(measure(directed(50), {}, { maxAliases: 100 }).directives).toBe(50);
    const error = refusal(() => measure(directed(51), {}, { maxAliases: 100 }));
    expect(error.extensions['code']).toBe('DIRECTIVE_LIMIT_EXCEEDED');
  });

  it('refuses one value past the cost limit, and takes exactly the limit', () => {
    const paged = '{ searchEnterprises(first: 100) { edges { cursor } } }';
    expect(measure(paged).cost).toBe(201);
    expect(measure(paged, {}, { maxCost: 201 }).cost).toBe(201);
    expect(refusal(() => measure(paged, {}, { maxCost: 200 })).extensions['code']).toBe('COST_LIMIT_EXCEEDED');
  });

  it('counts depth through fragments, and refuses one past the limit', () => {
    const deep = `{ enterprise(uscc: "${CODE}") { ...M } } fragment M on Enterprise { market { penalties { amount } } }`;
    expect(measure(deep).depth).toBe(4);
    expect(refusal(() => measure(deep, {}, { maxDepth: 3 })).extensions['code']).toBe('DEPTH_LIMIT_EXCEEDED');
    expect(measure(deep, {}, { maxDepth: 4 }).depth).toBe(4);
  });

  it('counts the codes an operation names across every field and alias, and refuses past the limit', () => {
    const codes = Array.from({ length: 400 }, () => CODE);
    const query = 'query($c: [USCC!]!) { a: enterprises(uscc: $c) { uscc } b: enterprises(uscc: $c) { uscc } }';
    expect(measure(query, { c: codes }).codes).toEqual(new Set([CODE]));
    const error = refusal(() => measure(`${query.slice(0, -1)} c: jointReviewBatch(uscc: $c, matter: "BIDDING") { outcome } }`, { c: codes }));
    expect(error.extensions['code']).toBe('TOO_MANY_CODES');
    expect(error.message).toBe('the operation names 1200 enterprises or more across its fields; at most 1000 per request');
    // Exactly the limit passes; one more does not.
    const list = (n: number) => ({ c: Array.from({ length: n }, () => CODE) });
    expect(measure('query($c: [USCC!]!) { enterprises(uscc: $c) { uscc } }', list(1000)).codes.size).toBe(1);
    expect(refusal(() => measure('query($c: [USCC!]!) { enterprises(uscc: $c) { uscc } }', list(1001))).message).toBe(
      'the operation names 1001 enterprises or more across its fields; at most 1000 per request',
    );
  });

  it('counts codes inside input objects and in single-code fields, the invalid ones too', () => {
    const query = `query($f: AuditFilter) { auditLog(filter: $f) x: enterprise(uscc: "${CODES[1]}") { uscc } y: enterprises(uscc: ["${CODE}", "not a code"]) { uscc } }`;
    expect(measure(query, { f: { uscc: CODE } }).codes).toEqual(new Set(CODES));
    expect(measure(query, { f: { uscc: CODE } }, { maxCodes: 4 }).codes.size).toBe(2);
    expect(refusal(() => measure(query, { f: { uscc: CODE } }, { maxCodes: 3 })).extensions['code']).toBe('TOO_MANY_CODES');
  });

  it('counts the enterprises an operation may read, searched as well as named, and refuses past the limit', () => {
    const searches = (n: number) => `{ ${Array.from({ length: n }, (_, i) => `s${i}: searchEnterprises(first: 100) { edges { node { uscc } } }`).join(' ')} }`;
    expect(measure(searches(10)).enterprises).toBe(1_000);
    const error = refusal(() => measure(searches(30)));
    expect(error.extensions['code']).toBe('TOO_MANY_ENTERPRISES');
    expect(error.message).toBe('the operation may read 1100 enterprises or more across its fields; at most 1000 per request');
    expect(measure(`{ a: enterprise(uscc: "${CODE}") { uscc } b: enterprises(uscc: ["${CODE}", "${CODES[1]}"]) { uscc } }`).enterprises).toBe(3);
  });

  it('multiplies what a field names by the lists above it', () => {
    const query = `{ searchEnterprises(first: 50) { edges { node { employees(first: 1) { edges { cursor } } } } } }`;
    // The search, 50 edges, 50 nodes, 50 employee connections, 50 × 1 edges, 50 × 1 cursors.
    expect(measure(query).cost).toBe(251);
    // Two codes named under each of 30 search results: 60 named across the request.
    const under = `{ searchEnterprises(first: 30) { edges { node { related(uscc: ["${CODE}", "${CODES[1]}"]) { uscc } } } } }`;
    expect(measure(under).codes).toEqual(new Set(CODES));
    expect(refusal(() => measure(under, {}, { maxCodes: 59 })).message).toBe('the operation names 60 enterprises or more across its fields; at most 59 per request');
    const codesUnderList = `{ searchEnterprises(first: 30) { edges { node { uscc } } } a: jointReviewBatch(uscc: ["${CODE}"], matter: "X") { outcome } }`;
    expect(measure(codesUnderList).codes).toEqual(new Set([CODE]));
  });

  it('counts the coordinates an operation asks the policy about, a missing list as the whole catalogue', () => {
    const many = (n: number) => ({ c: Array.from({ length: n }, (_, i) => `Type.field${i}`) });
    expect(measure('query($c: [String!]) { policyMatrix(coordinates: $c) { rows } }', many(1000)).coordinates).toBe(1000);
    expect(refusal(() => measure('query($c: [String!]) { policyMatrix(coordinates: $c) { rows } }', many(1001))).extensions['code']).toBe('TOO_MANY_COORDINATES');
    // Every coordinate of the catalogue (207 here), five times over.
    const whole = `{ ${Array.from({ length: 5 }, (_, i) => `m${i}: policyMatrix { rows }`).join(' ')} }`;
    expect(refusal(() => measure(whole)).message).toBe('the operation asks about 1035 field coordinates or more across its fields; at most 1000 per request');
    expect(measure(`{ a: explainAccess(coordinate: "A.b") b: explainAccess(coordinate: "C.d") }`).coordinates).toBe(2);
  });

  it('refuses pages over the cap, and a negative or zero page costs nothing below it', () => {
    expect(refusal(() => measure('{ searchEnterprises(first: 101) { edges { cursor } } }')).extensions['code']).toBe('PAGE_SIZE_EXCEEDED');
    expect(measure('{ searchEnterprises(first: 100) { edges { cursor } } }').cost).toBe(1 + 100 + 100);
    expect(measure('{ searchEnterprises(first: -5) { edges { cursor } } }').cost).toBe(1);
  });

  it('refuses a NUL character in any string argument, naming the argument', () => {
    const error = refusal(() => measure('query($f: AuditFilter) { auditLog(filter: $f) }', { f: { sub: 'a\u0000b' } }));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'filter.sub' });
    expect(error.message).toBe('the argument filter.sub of auditLog(filter:) contains a NUL character, which no field of this graph accepts');
  });
});
