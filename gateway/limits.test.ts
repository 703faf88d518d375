import { buildSchema, GraphQLError, GraphQLString, Kind, parse, type GraphQLInputType, type OperationDefinitionNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { checkDocumentShape, collectCodes, DEFAULT_LIMITS, enforceLimits, introspectionRefused, type OperationLimits } from './limits.js';

/**
 * The shapes of the graph the limits care about: codes, pages (`first` after other arguments, as in
 * the supergraph), lists, coordinates, input objects; and what a graph may grow: a mutation, a
 * union, a list named like a connection's that is not one, an operation directive.
 */
const schema = buildSchema(`
  scalar USCC
  directive @cached on QUERY
  type Query {
    enterprise(uscc: USCC!): Enterprise
    enterprises(uscc: [USCC!]!): [Enterprise]
    nodes(ids: [ID!]!): [Enterprise]
    searchEnterprises(name: String, first: Int = 20, after: String): EnterpriseConnection
    jointReviewBatch(uscc: [USCC!]!, matter: String!): [Review]
    policyMatrix(coordinates: [String!]): Matrix
    explainAccess(coordinate: String!): String
    auditLog(filter: AuditFilter, first: Int = 50): [String]
  }
  type Mutation { startReview(uscc: USCC!, matter: String!): Review }
  input AuditFilter { uscc: USCC, sub: String }
  type Enterprise {
    uscc: USCC market: Market employees(first: Int = 20): EmployeeConnection related(uscc: [USCC!]!): [Enterprise]
    shareholders: [Holder] ownership: Ownership
  }
  union Holder = Enterprise | Employee
  type Ownership { nodes: [Enterprise] edges: [Holding] }
  type Holding { share: Int }
  type Market { name: String penalties: [Penalty] }
  type Penalty { decisionNo: String amount: Int }
  type EnterpriseConnection { edges: [EnterpriseEdge] nodes: [Enterprise] regions: [RegionCount] }
  type RegionCount { regionCode: String count: Int }
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
function measure(query: string, variables: Record<string, unknown> = {}, overrides: Partial<OperationLimits> = {}, catalogueSize = 207) {
  const document = parse(query);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  return enforceLimits(schema, document, operation, variables, limits(overrides), { catalogueSize });
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

/** `n` diamonds of fragments, each link spreading two fragments that both spread the next: `leaf` 2^n times once expanded. */
function fragmentDiamonds(n: number, leaf = 'uscc'): string {
  const links = Array.from({ length: n }, (_, i) => `fragment F${i} on Enterprise { ...A${i} ...B${i} } fragment A${i} on Enterprise { ...F${i + 1} } fragment B${i} on Enterprise { ...F${i + 1} }`);
  return `{ enterprise(uscc: "${CODE}") { ...F0 } } ${links.join(' ')} fragment F${n} on Enterprise { ${leaf} }`;
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

  it('refuses a reserved alias inside an inline fragment, naming it, as a bad request', () => {
    const error = refusal(() => checkDocumentShape(parse(`{ enterprise(uscc: "${CODE}") { ... on Enterprise { __meg_key: uscc } } }`), limits()));
    expect(error.message).toBe('the alias "__meg_key" is reserved: names beginning with __ belong to GraphQL and the gateway');
    expect(error.extensions).toEqual({ code: 'RESERVED_ALIAS', http: { status: 400 } });
  });

  it('counts the selections inside inline fragments and fragment definitions', () => {
    const aliases = (n: number) => Array.from({ length: n }, (_, i) => `a${i}: uscc`).join(' ');
    // The root field and the inline fragment or spread are selections too: 2 + 298 is the limit.
    const inline = (n: number) => parse(`{ enterprise(uscc: "${CODE}") { ... on Enterprise { ${aliases(n)} } } }`);
    expect(() => checkDocumentShape(inline(298), limits())).not.toThrow();
    expect(refusal(() => checkDocumentShape(inline(299), limits())).extensions).toEqual({ code: 'SELECTION_LIMIT_EXCEEDED', http: { status: 400 } });
    const spread = (n: number) => parse(`{ enterprise(uscc: "${CODE}") { ...F } } fragment F on Enterprise { ${aliases(n)} }`);
    expect(() => checkDocumentShape(spread(298), limits())).not.toThrow();
    expect(refusal(() => checkDocumentShape(spread(299), limits())).message).toBe('the document selects 301 fields and fragments or more; at most 300 are allowed');
  });

  it('refuses a key repeated in a set nested in an inline fragment or in a fragment definition', () => {
    const names = 'name '.repeat(31);
    const inline = parse(`{ enterprise(uscc: "${CODE}") { ... on Enterprise { market { ${names} } } } }`);
    expect(refusal(() => checkDocumentShape(inline, limits())).message).toBe('"name" is selected 31 times in one selection set; at most 30 are allowed');
    const defined = parse(`{ enterprise(uscc: "${CODE}") { ...M } } fragment M on Enterprise { market { ${names} } }`);
    expect(refusal(() => checkDocumentShape(defined, limits())).message).toBe('"name" is selected 31 times in one selection set; at most 30 are allowed');
  });

  it('measures fragments that spread the same fragment twice over once each, and refuses what they expand to', () => {
    // 2^40 paths to the leaf: followed one by one the check would never end.
    expect(refusal(() => checkDocumentShape(parse(fragmentDiamonds(40)), limits())).message).toBe('"uscc" is selected 1099511627776 times in one selection set; at most 30 are allowed');
    expect(() => checkDocumentShape(parse(fragmentDiamonds(4)), limits())).not.toThrow();
  });

  it('leaves the type definitions of a document to validation, which refuses them', () => {
    expect(() => checkDocumentShape(parse(`type Probe { a: Int } { enterprise(uscc: "${CODE}") { uscc } }`), limits())).not.toThrow();
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
    expect(refusal(() => measure(aliased, {}, { maxAliases: 31 })).message).toBe('the operation uses 32 aliases; at most 31 are allowed');
    // 2^59 aliases once expanded, counted without expanding them.
    const expanded = refusal(() => measure(fragmentChain(60, 'a: uscc'), {}, { maxCost: Number.POSITIVE_INFINITY }));
    expect(expanded.extensions['code']).toBe('ALIAS_LIMIT_EXCEEDED');
    expect(expanded.message).toBe('the operation uses more than 10^15 aliases; at most 30 are allowed');
    const directed = `{ enterprise(uscc: "${CODE}") { ...A ...A @include(if: true) } } fragment A on Enterprise @skip(if: false) { uscc @include(if: true) }`;
    // The spread's directive once, and the fragment's two at each of its two spreads.
    expect(measure(directed).directives).toBe(5);
  });

  it('refuses one directive past the limit, counting those on fragments and their spreads', () => {
    const directed = (n: number) =>
      `{ enterprise(uscc: "${CODE}") { ...A } } fragment A on Enterprise @skip(if: false) { ${Array.from({ length: n - 1 }, (_, i) => `f${i}: uscc @include(if: true)`).join(' ')} }`;
    expect(measure(directed(50), {}, { maxAliases: 100 }).directives).toBe(50);
    const error = refusal(() => measure(directed(51), {}, { maxAliases: 100 }));
    expect(error.extensions).toEqual({ code: 'DIRECTIVE_LIMIT_EXCEEDED', http: { status: 400 } });
    expect(error.message).toBe('the operation uses 51 directives; at most 50 are allowed');
  });

  it('measures both sides of every @skip and @include, whatever the variables, as an operation may ask either', () => {
    const skipped = `query($no: Boolean = false) { enterprise(uscc: "${CODE}") { market @skip(if: true) { penalties { amount } } ...M @include(if: $no) } } fragment M on Enterprise { a: uscc }`;
    expect(measure(skipped, { no: false })).toMatchObject({ depth: 4, aliases: 1, directives: 2, cost: 1 + 1 + 1 + 10 + 1 });
  });

  it('counts the directives of the operation itself', () => {
    expect(measure(`query @cached { enterprise(uscc: "${CODE}") @include(if: true) { uscc } }`).directives).toBe(2);
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
    expect(refusal(() => measure(deep, {}, { maxDepth: 3 })).message).toBe('the operation nests fields 4 deep; at most 3 is allowed');
    expect(measure(deep, {}, { maxDepth: 4 }).depth).toBe(4);
  });

  it('measures the depth of the deepest branch, whichever comes last', () => {
    const deep = `enterprise(uscc: "${CODE}") { market { penalties { amount } } }`;
    expect(measure(`{ ${deep} explainAccess(coordinate: "A.b") }`).depth).toBe(4);
    expect(measure(`{ ${deep} b: enterprise(uscc: "${CODE}") { ...U } } fragment U on Enterprise { uscc }`).depth).toBe(4);
  });

  it('measures what a fragment spread under a list selects as many times as the list is long', () => {
    const query = `{ searchEnterprises(first: 30) { edges { ...E } } } fragment E on EnterpriseEdge { node { a: uscc related(uscc: ["${CODE}", "${CODES[1]}"]) { uscc } } }`;
    // Each of the 30 edges: its node, the alias, the related list and its two codes' uscc.
    expect(measure(query)).toEqual({
      depth: 5,
      aliases: 1,
      directives: 0,
      cost: 1 + 30 + 30 * 5,
      introspection: false,
      codes: new Set(CODES),
      coordinates: 0,
      enterprises: 30 * 3,
    });
    // Two codes named in each of the 30 edges: the count of codes is refused before that of enterprises.
    expect(refusal(() => measure(query, {}, { maxCodes: 59 })).message).toBe('the operation names 60 enterprises or more across its fields; at most 59 per request');
    expect(measure(`{ ...Q } fragment Q on Query { policyMatrix(coordinates: ["A.b", "C.d"]) { rows } }`).coordinates).toBe(2);
  });

  it("measures the fragments and inline fragments on a member of a union by that member's fields", () => {
    const inline = `{ enterprise(uscc: "${CODE}") { shareholders { __typename ... on Enterprise { market { penalties { amount } } } } } }`;
    // Ten shareholders, each with its __typename and, for an enterprise, a market with ten penalties.
    expect(measure(inline)).toMatchObject({ depth: 5, cost: 1 + 1 + 10 + 10 + 10 + 100 });
    const spread = `{ enterprise(uscc: "${CODE}") { shareholders { ...E } } } fragment E on Enterprise { market { penalties { amount } } }`;
    expect(measure(spread)).toMatchObject({ depth: 5, cost: 1 + 1 + 10 * (1 + 1 + 10) });
  });

  it('measures __typename as a field, and a spread of an unknown fragment as nothing (validation refuses it)', () => {
    expect(measure(`{ enterprise(uscc: "${CODE}") { __typename uscc } }`)).toMatchObject({ depth: 2, cost: 3 });
    expect(measure(`{ enterprise(uscc: "${CODE}") { ...Missing uscc } }`)).toMatchObject({ depth: 2, cost: 2 });
  });

  it('reports introspection, whose lists count as one each since the schema sizes them', () => {
    expect(measure('{ __schema { types { fields { name } } } }')).toMatchObject({ introspection: true, depth: 4, cost: 4 });
    expect(measure('{ __type(name: "Enterprise") { fields { type { name } } } }')).toMatchObject({ introspection: true, depth: 4, cost: 4 });
    expect(measure(`{ __typename enterprise(uscc: "${CODE}") { uscc } }`).introspection).toBe(false);
  });

  it('sizes a list the caller cannot size by the default, unless it is the page of a connection', () => {
    expect(measure(`{ enterprise(uscc: "${CODE}") { market { penalties { amount } } } }`).cost).toBe(1 + 1 + 1 + 10);
    // The nodes of a connection are its page, like its edges.
    expect(measure('{ searchEnterprises(first: 10) { nodes { uscc } } }')).toMatchObject({ cost: 1 + 10 + 10, enterprises: 10 });
    // The connection's own fields count as under its page (on the safe side); a list beside its edges is any list.
    expect(measure('{ searchEnterprises(first: 10) { regions { count } } }').cost).toBe(1 + 10 + 10 * 10);
    // Nodes and edges of something that is not a connection, or at the root, are lists like any other.
    expect(measure(`{ enterprise(uscc: "${CODE}") { ownership { nodes { uscc } edges { share } } } }`)).toMatchObject({ cost: 1 + 1 + 1 + 10 + 1 + 10, enterprises: 1 + 10 });
    expect(measure('{ nodes(ids: ["a"]) { uscc } }')).toMatchObject({ cost: 1 + 10, enterprises: 10 });
  });

  it('measures a mutation from the mutation type, and refuses an operation type the graph does not have', () => {
    expect(measure(`mutation { startReview(uscc: "${CODE}", matter: "BIDDING") { outcome } }`)).toMatchObject({ cost: 2, depth: 2, codes: new Set([CODE]) });
    const error = refusal(() => measure('subscription { reviews }'));
    expect(error.message).toBe('the graph has no subscription operations');
    expect(error.extensions).toEqual({ code: 'BAD_REQUEST', http: { status: 400 } });
  });

  it('without a catalogue size, counts a missing coordinate list as none', () => {
    const document = parse('{ policyMatrix { rows } }');
    const operation = document.definitions[0] as OperationDefinitionNode;
    expect(enforceLimits(schema, document, operation, undefined, limits()).coordinates).toBe(0);
  });

  it('writes counts from 10^15 up as "more than 10^15"', () => {
    const whole = '{ policyMatrix { rows } }';
    expect(refusal(() => measure(whole, {}, {}, 1e15 - 1)).message).toBe('the operation asks about 999999999999999 field coordinates or more across its fields; at most 1000 per request');
    expect(refusal(() => measure(whole, {}, {}, 1e15)).message).toBe('the operation asks about more than 10^15 field coordinates or more across its fields; at most 1000 per request');
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

  it('finds first among the other arguments, wherever it is written, and names the field it caps', () => {
    const error = refusal(() => measure('{ searchEnterprises(after: "c", first: 101) { edges { cursor } } }'));
    expect(error.message).toBe('"searchEnterprises" asks for first: 101; a page holds at most 100');
    expect(error.extensions).toEqual({ code: 'PAGE_SIZE_EXCEEDED', http: { status: 400 } });
    expect(refusal(() => measure('{ searchEnterprises(name: "Xiamen", first: 101) { edges { cursor } } }')).extensions['code']).toBe('PAGE_SIZE_EXCEEDED');
  });

  it('counts no code for an input field left out or null', () => {
    expect(measure('{ auditLog(filter: { uscc: null, sub: "x" }) a: auditLog(filter: { sub: "y" }) }', {}, { maxCodes: 0 }).codes.size).toBe(0);
  });

  it('takes a single code where a list is expected, as GraphQL coerces it', () => {
    expect(measure('query($c: [USCC!]!) { enterprises(uscc: $c) { uscc } }', { c: CODE }).codes).toEqual(new Set([CODE]));
  });

  it('refuses a NUL character in any string argument, naming the argument', () => {
    const error = refusal(() => measure('query($f: AuditFilter) { auditLog(filter: $f) }', { f: { sub: 'a\u0000b' } }));
    expect(error.extensions).toMatchObject({ code: 'BAD_USER_INPUT', argument: 'filter.sub' });
    expect(error.message).toBe('the argument filter.sub of auditLog(filter:) contains a NUL character, which no field of this graph accepts');
    const inList = refusal(() => measure('query($c: [USCC!]!) { enterprises(uscc: $c) { uscc } }', { c: [CODE, 'a\u0000b'] }));
    expect(inList.message).toBe('the argument uscc[1] of enterprises(uscc:) contains a NUL character, which no field of this graph accepts');
    expect(inList.extensions).toEqual({ code: 'BAD_USER_INPUT', argument: 'uscc[1]', http: { status: 400 } });
  });

  it('refuses introspection to a caller not allowed it as forbidden', () => {
    const error = introspectionRefused();
    expect(error.message).toBe('introspection is open to agency officers only');
    expect(error.extensions).toEqual({ code: 'INTROSPECTION_NOT_ALLOWED', http: { status: 403 } });
  });
});

describe('the codes an argument names', () => {
  const codesOf = (value: unknown, type: GraphQLInputType): Set<string> => {
    const into = new Set<string>();
    collectCodes(value, type, into);
    return into;
  };
  const codeList = schema.getQueryType()!.getFields()['enterprises']!.args[0]!.type;
  const filter = schema.getType('AuditFilter') as GraphQLInputType;

  it('collects the valid codes of a list, and a single code where a list is expected', () => {
    expect(codesOf([CODE, 'not a code', CODES[1]], codeList)).toEqual(new Set(CODES));
    expect(codesOf(CODE, codeList)).toEqual(new Set([CODE]));
  });

  it("collects the codes of an input object's USCC fields, not a code written in another field", () => {
    expect(codesOf({ uscc: CODE, sub: CODES[1] }, filter)).toEqual(new Set([CODE]));
    expect(codesOf(CODES[1], GraphQLString)).toEqual(new Set());
  });

  it('collects nothing from a null or missing value, or a string where an input object is expected', () => {
    expect(codesOf(null, filter)).toEqual(new Set());
    expect(codesOf(undefined, codeList)).toEqual(new Set());
    expect(codesOf({ uscc: null }, filter)).toEqual(new Set());
    expect(codesOf(CODE, filter)).toEqual(new Set());
  });
});
