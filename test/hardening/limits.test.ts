/** Operation limits and what error responses may say, tried from outside against the gateway. */
import { getIntrospectionQuery } from 'graphql';
import { Agent, fetch as undiciFetch } from 'undici';
import { describe, expect, inject, it } from 'vitest';
import { CALLERS, headersFor } from '../support/callers.js';
import { graphql } from '../support/graphql.js';
import { universe } from '../support/universe.js';

const federation = inject('federation');
const codes = universe(federation.seed, 3).map((e) => e.uscc);

async function asOfficer(query: string, variables?: Record<string, unknown>) {
  return graphql(federation.gatewayUrl, query, variables, await headersFor(federation, CALLERS.creditSupervisor));
}

/** A query nesting `ofType { … }` to the depth asked for (the data graph itself is not that deep). */
function deepIntrospection(depth: number): string {
  let inner = 'name';
  for (let level = 2; level < depth; level++) inner = `ofType { ${inner} }`;
  return `{ __type(name: "Enterprise") { ${inner} } }`;
}

describe('operation limits', () => {
  it('answers the ordinary operations of the graph and the explorer', async () => {
    const profile = await asOfficer(`{ enterprise(uscc: "${codes[0]}") { market { name annualReports { year } } tax { creditRatings { year } }
      customs { declarations(first: 5) { edges { node { entryNo } } } } } }`);
    expect(profile.status).toBe(200);
    expect(profile.body.errors).toBeUndefined();
    // The explorer's own introspection query is 15 deep: it must pass.
    const explorer = await asOfficer(getIntrospectionQuery({ descriptions: true, specifiedByUrl: true, directiveIsRepeatable: true }));
    expect(explorer.status).toBe(200);
    expect(explorer.body.errors).toBeUndefined();
  });

  it('refuses an operation nested too deep, whatever hides the depth', async () => {
    const ok15 = await asOfficer(deepIntrospection(15));
    expect(ok15.status).toBe(200);
    const res = await asOfficer(deepIntrospection(17));
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.['code']).toBe('DEPTH_LIMIT_EXCEEDED');
    expect(res.body.errors?.[0]?.message).toMatch(/at most 15/);
    expect(res.body.data).toBeUndefined();
    // Fragments cannot hide depth.
    const inner = deepIntrospection(17)
      .replace(/^\{ __type\(name: "Enterprise"\) \{ /, '')
      .replace(/ \}$/, '')
      .replace(/ \}$/, '');
    const viaFragments = await asOfficer(`query { ...A } fragment A on Query { __type(name: "Enterprise") { ...B } } fragment B on __Type { ${inner} }`);
    expect(viaFragments.body.errors?.[0]?.extensions?.['code']).toBe('DEPTH_LIMIT_EXCEEDED');
  });

  it('refuses too many aliases', async () => {
    const fields = Array.from({ length: 31 }, (_, i) => `a${i}: uscc`).join(' ');
    const res = await asOfficer(`{ enterprise(uscc: "${codes[0]}") { ${fields} } }`);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.['code']).toBe('ALIAS_LIMIT_EXCEEDED');
  });

  it('refuses too many directives', async () => {
    // 26 selections of one field, two directives each: under the repeated-field limit, over the directive limit.
    const fields = Array.from({ length: 26 }, () => `uscc @include(if: true) @skip(if: false)`).join(' ');
    const res = await asOfficer(`{ enterprise(uscc: "${codes[0]}") { ${fields} } }`);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.['code']).toBe('DIRECTIVE_LIMIT_EXCEEDED');
  });

  it('refuses a document of too many tokens without parsing it all', async () => {
    const res = await asOfficer(`{ ${'__typename '.repeat(6000)} }`);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.['code']).toBe('TOKEN_LIMIT_EXCEEDED');
  });

  it('refuses a page larger than the cap, in a literal or a variable', async () => {
    const literal = await asOfficer('{ searchEnterprises(first: 101) { edges { node { uscc } } } }');
    expect(literal.status).toBe(400);
    expect(literal.body.errors?.[0]?.extensions?.['code']).toBe('PAGE_SIZE_EXCEEDED');
    const variable = await asOfficer('query($n: Int) { searchEnterprises(first: $n) { edges { node { uscc } } } }', { n: 1000 });
    expect(variable.body.errors?.[0]?.extensions?.['code']).toBe('PAGE_SIZE_EXCEEDED');
    const allowed = await asOfficer('query($n: Int) { searchEnterprises(first: $n) { edges { node { uscc } } } }', { n: 100 });
    expect(allowed.status).toBe(200);
    expect(allowed.body.data?.['searchEnterprises'].edges).toHaveLength(100);
  });

  it('refuses an operation whose estimated size is over the cost limit, sized by its lists', async () => {
    // 100 enterprises per page, 100 declarations each, a dozen values per declaration: over 100,000.
    const query = `{ searchEnterprises(first: 100) { edges { node { customs { declarations(first: 100) { edges { cursor node {
      entryNo declaredOn direction hsCode value tradeMode port a: entryNo b: port } } } } } } } }`;
    const res = await asOfficer(query);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.['code']).toBe('COST_LIMIT_EXCEEDED');
  });

  it('refuses batched requests (an array of operations)', async () => {
    const res = await fetch(federation.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ query: '{ __typename }' }, { query: '{ __typename }' }]),
    });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/batch/i);
  });

  it('refuses a body over the size limit with 413', async () => {
    const res = await fetch(federation.gatewayUrl, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query: `{ __typename }`, variables: { x: 'x'.repeat(1024 * 1024 + 1) } }),
    });
    expect(res.status).toBe(413);
    expect((await res.json()).errors[0].extensions.code).toBe('PAYLOAD_TOO_LARGE');
  });

  it('refuses a simple cross-site request (CSRF prevention)', async () => {
    const res = await fetch(`${federation.gatewayUrl}?query=${encodeURIComponent('{ __typename }')}`, { headers: { 'content-type': 'text/plain' } });
    expect(res.status).toBe(400);
    expect(await res.text()).toMatch(/CSRF/);
  });
});

describe('what errors may say', () => {
  it('suggests no field names to a caller who guesses', async () => {
    const res = await graphql(federation.gatewayUrl, `{ enterprise(uscc: "${codes[0]}") { tx { taxpayerType } } }`);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    expect(JSON.stringify(res.body)).not.toMatch(/Did you mean/);
  });

  it('shows no stack trace or internal detail', async () => {
    const responses = [
      await graphql(federation.gatewayUrl, '{ enterprise(uscc: "not a code") { uscc } }'),
      await graphql(federation.gatewayUrl, '{ enterprise(uscc: ) }'),
      await asOfficer('query($u: USCC!) { enterprise(uscc: $u) { uscc } }', { u: 42 }),
    ];
    for (const res of responses) {
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      const text = JSON.stringify(res.body);
      expect(text).not.toMatch(/stacktrace|at [A-Za-z.]+ \(|node_modules|\.js:\d+/);
    }
  });

  it('gives introspection to agency officers only', async () => {
    const query = '{ __schema { queryType { name } } }';
    const officer = await asOfficer(query);
    expect(officer.body.data?.['__schema']).toEqual({ queryType: { name: 'Query' } });
    const anonymous = await graphql(federation.gatewayUrl, query);
    expect(anonymous.status).toBe(403);
    expect(anonymous.body.errors?.[0]?.extensions?.['code']).toBe('INTROSPECTION_NOT_ALLOWED');
    const typeQuery = await graphql(federation.gatewayUrl, '{ __type(name: "Enterprise") { fields { name } } }');
    expect(typeQuery.body.errors?.[0]?.extensions?.['code']).toBe('INTROSPECTION_NOT_ALLOWED');
    // __typename is not introspection of the schema.
    expect((await graphql(federation.gatewayUrl, '{ __typename }')).body.data).toEqual({ __typename: 'Query' });
  });

  it('does not expose _service or _entities through the gateway', async () => {
    for (const query of ['{ _service { sdl } }', 'query($r: [_Any!]!) { _entities(representations: $r) { __typename } }']) {
      const res = await asOfficer(query, { r: [{ __typename: 'Enterprise', uscc: codes[0] }] });
      expect(res.status).toBe(400);
      expect(res.body.data).toBeUndefined();
      expect(res.body.errors?.[0]?.extensions?.['code']).toBe('GRAPHQL_VALIDATION_FAILED');
    }
  });
});

describe('hostile JSON', () => {
  it('refuses variables nested deeper than 64 levels with 400, not a crash', async () => {
    const body = `{"query":"{ __typename }","variables":{"v":${'['.repeat(5000)}${']'.repeat(5000)}}}`;
    const res = await fetch(federation.gatewayUrl, { method: 'POST', headers: { 'content-type': 'application/json' }, body });
    expect(res.status).toBe(400);
    expect((await res.json()).errors[0]).toEqual({ message: 'the request body nests JSON deeper than 64 levels', extensions: { code: 'BAD_REQUEST' } });
    const get = await fetch(`${federation.gatewayUrl}?query=${encodeURIComponent('{ __typename }')}&variables=${encodeURIComponent(`{"v":${'['.repeat(100)}${']'.repeat(100)}}`)}`, {
      headers: { 'apollo-require-preflight': 'true' },
    });
    expect(get.status).toBe(400);
    // Brackets inside strings are text, not nesting.
    expect((await graphql(federation.gatewayUrl, '{ __typename }', { s: '['.repeat(1000) })).status).toBe(200);
  });
});

describe('directives with variable defaults', () => {
  it('masks a field included through a variable left at its default', async () => {
    const query = `query($show: Boolean = true) { enterprise(uscc: "${codes[0]}") { market { legalRepresentative { idNumber @include(if: $show) } } } }`;
    const res = await graphql(federation.gatewayUrl, query, {}, await headersFor(federation, CALLERS.customsOfficer));
    const idNumber = res.body.data?.['enterprise'].market.legalRepresentative.idNumber;
    expect(idNumber).toMatch(/\*/);
  });
});

describe('operations the planner cannot plan', () => {
  it('answers 400 with a code, not 500', async () => {
    for (const query of ['{ __schema { queryType { isOneOf } } }', '{ __schema { directives(includeDeprecated: true) { name } } }']) {
      const res = await asOfficer(query);
      expect(res.status).toBe(400);
      expect(res.body.errors?.[0]).toEqual({ message: 'the gateway cannot plan this operation', extensions: { code: 'OPERATION_NOT_SUPPORTED' } });
    }
  });

  it('reads the next request on a connection after refusing a body that was too large', async () => {
    // One keep-alive connection: the 413 must close it, not leave the next request waiting.
    const agent = new Agent({ connections: 1 });
    try {
      const big = await undiciFetch(federation.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }', pad: 'x'.repeat(2_000_000) }),
        dispatcher: agent,
      });
      expect(big.status).toBe(413);
      await big.text();
      const next = await undiciFetch(federation.gatewayUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ query: '{ __typename }' }),
        dispatcher: agent,
        signal: AbortSignal.timeout(5_000),
      });
      expect(next.status).toBe(200);
    } finally {
      await agent.close();
    }
  });
});

describe('limits that cost time linear in the request', () => {
  /** A chain of `n` fragments, each spreading the next twice: 2^(n−1) fields once expanded, 1 KB written. */
  const chain = (n: number) =>
    `{ enterprise(uscc: "${codes[0]}") { ...F0 } } ${Array.from({ length: n }, (_, i) =>
      i === n - 1 ? `fragment F${i} on Enterprise { uscc }` : `fragment F${i} on Enterprise { ...F${i + 1} ... on Enterprise { ...F${i + 1} } }`,
    ).join(' ')}`;

  it('refuses a 1 KB public request whose fragments double at every link, without following every path', async () => {
    // 2^39 paths: followed one by one they would hold the gateway's thread for days, and this test would time out.
    const query = chain(40);
    expect(query.length).toBeLessThan(3_000);
    const res = await graphql(federation.gatewayUrl, query);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.['code']).toBe('COST_LIMIT_EXCEEDED');
  });

  it('refuses inline fragments nested thousands deep with 400, before the parser runs out of stack', async () => {
    const res = await graphql(federation.gatewayUrl, `{ ${'... { '.repeat(2_400)}__typename${' }'.repeat(2_400)} }`);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ message: 'the document nests selections and values more than 100 deep; at most 100 is allowed', extensions: { code: 'DEPTH_LIMIT_EXCEEDED' } }]);
  });

  it('refuses hundreds of repetitions of one field before validation compares them pairwise', async () => {
    const res = await graphql(federation.gatewayUrl, `{ enterprise(uscc: "${codes[0]}") { ${'uscc '.repeat(550)} } }`);
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ message: 'the document selects 551 fields and fragments or more; at most 300 are allowed', extensions: { code: 'SELECTION_LIMIT_EXCEEDED' } }]);
    const repeated = await graphql(federation.gatewayUrl, `{ ${Array.from({ length: 40 }, () => `enterprise(uscc: "${codes[0]}") { uscc }`).join(' ')} }`);
    expect(repeated.body.errors).toEqual([{ message: '"enterprise" is selected 40 times in one selection set; at most 30 are allowed', extensions: { code: 'SELECTION_LIMIT_EXCEEDED' } }]);
  });

  it('counts the enterprises of a request across its aliases', async () => {
    const many = universe(federation.seed, 1_000).map((e) => e.uscc);
    const fiveTimes = `query($c: [USCC!]!) { ${Array.from({ length: 5 }, (_, i) => `a${i}: enterprises(uscc: $c) { uscc }`).join(' ')} }`;
    const res = await asOfficer(fiveTimes, { c: many });
    expect(res.status).toBe(400);
    expect(res.body.errors).toEqual([{ message: 'the operation names 2000 enterprises or more across its fields; at most 1000 per request', extensions: { code: 'TOO_MANY_CODES' } }]);
    const reviews = `query($c: [USCC!]!) { ${Array.from({ length: 15 }, (_, i) => `r${i}: jointReviewBatch(uscc: $c, matter: BIDDING) { outcome }`).join(' ')} }`;
    expect((await asOfficer(reviews, { c: many.slice(0, 100) })).body.errors?.[0]?.extensions?.['code']).toBe('TOO_MANY_CODES');
    // Searches count as surely as lists of codes: thirty pages of a hundred are 3,000 enterprises.
    const searches = `{ ${Array.from({ length: 30 }, (_, i) => `s${i}: searchEnterprises(first: 100) { edges { node { uscc } } }`).join(' ')} }`;
    expect((await asOfficer(searches)).body.errors?.[0]?.extensions?.['code']).toBe('TOO_MANY_ENTERPRISES');
    // One list of the full thousand is answered.
    const one = await asOfficer('query($c: [USCC!]!) { enterprises(uscc: $c) { uscc } }', { c: many });
    expect(one.status).toBe(200);
    expect(one.body.data?.['enterprises']).toHaveLength(1_000);
  });

  it('counts the field coordinates an auditor asks the policy about across a request', async () => {
    const auditor = await headersFor(federation, CALLERS.auditor);
    const coordinates = Array.from({ length: 35_000 }, (_, i) => `Type${i}.field`);
    const res = await graphql(federation.gatewayUrl, 'query($c: [String!]) { policyMatrix(coordinates: $c) { coordinates } }', { c: coordinates }, auditor);
    expect(res.status).toBe(400);
    expect(res.body.errors?.[0]?.extensions?.['code']).toBe('TOO_MANY_COORDINATES');
    const whole = await graphql(federation.gatewayUrl, `{ ${Array.from({ length: 5 }, (_, i) => `m${i}: policyMatrix { policyRevision }`).join(' ')} }`, {}, auditor);
    expect(whole.body.errors?.[0]?.extensions?.['code']).toBe('TOO_MANY_COORDINATES');
    const unknown = await graphql(federation.gatewayUrl, 'query($c: [String!]) { policyMatrix(coordinates: $c) { coordinates } }', { c: ['TaxProfile.arrears', 'Nope.nothing'] }, auditor);
    expect(unknown.body.errors).toEqual([
      expect.objectContaining({ message: 'not in the classification catalogue: Nope.nothing', extensions: { code: 'BAD_USER_INPUT', argument: 'coordinates', service: 'audit' } }),
    ]);
  });
});
