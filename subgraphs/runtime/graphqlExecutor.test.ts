import { Writable } from 'node:stream';
import { buildSubgraphSchema } from '@apollo/subgraph';
import { GraphQLError, parse } from 'graphql';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../platform/observability/logger.js';
import { SubgraphExecutor } from './graphqlExecutor.js';

const schema = buildSubgraphSchema([
  {
    typeDefs: parse(`
      extend schema @link(url: "https://specs.apollo.dev/federation/v2.3", import: ["@key"])
      type Query { enterprise(uscc: String!): Enterprise broken: String refused: String }
      type Enterprise @key(fields: "uscc") { uscc: String! name: String }
    `),
    resolvers: {
      Query: {
        enterprise: (_: unknown, { uscc }: { uscc: string }) => ({ uscc }),
        broken: () => {
          throw new Error('connection to 10.0.0.7 refused');
        },
        refused: () => {
          throw new GraphQLError('at most 5000 codes', { extensions: { code: 'BAD_USER_INPUT' } });
        },
      },
      Enterprise: {
        __resolveReference: (ref: { uscc: string }) => ({ uscc: ref.uscc }),
        name: (e: { uscc: string }, _: unknown, context: { prefix: string }) => `${context.prefix} ${e.uscc}`,
      },
    },
  },
]);

const executor = new SubgraphExecutor<{ prefix: string }>(schema, (formatted) =>
  formatted.extensions?.['code'] === 'INTERNAL_SERVER_ERROR' ? { ...formatted, message: 'the subgraph could not read its data' } : formatted,
);
const context = () => ({ prefix: 'Enterprise' });

async function run(body: unknown): Promise<{ status: number; json: { data?: unknown; errors?: { message: string; extensions: { code: string }; locations?: unknown }[] } }> {
  const response = await executor.run(body, context);
  return { status: response.status, json: JSON.parse(response.body) };
}

describe('the subgraph executor', () => {
  it('answers a query and an entity fetch with the context it is given', async () => {
    expect(await run({ query: 'query Q($u: String!) { enterprise(uscc: $u) { uscc name } }', variables: { u: 'A1' }, operationName: 'Q' })).toEqual({
      status: 200,
      json: { data: { enterprise: { uscc: 'A1', name: 'Enterprise A1' } } },
    });
    const entities = await run({
      query: 'query($r: [_Any!]!) { _entities(representations: $r) { ... on Enterprise { name } } }',
      variables: { r: [{ __typename: 'Enterprise', uscc: 'B2' }] },
    });
    expect(entities).toEqual({ status: 200, json: { data: { _entities: [{ name: 'Enterprise B2' }] } } });
    const sdl = await run({ query: '{ _service { sdl } }' });
    expect((sdl.json.data as { _service: { sdl: string } })._service.sdl).toContain('type Enterprise');
  });

  it('refuses a document that cannot run with 400 and the reason', async () => {
    const parseFailed = await run({ query: '{ enterprise(uscc: "A1") { name }' });
    expect(parseFailed.status).toBe(400);
    expect(parseFailed.json.errors![0]!.extensions.code).toBe('GRAPHQL_PARSE_FAILED');
    expect(parseFailed.json.errors![0]!.locations).toBeDefined();
    expect(parseFailed.json.data).toBeUndefined();

    const invalid = await run({ query: '{ enterprise(uscc: "A1") { nmae } }' });
    expect(invalid.status).toBe(400);
    expect(invalid.json.errors![0]).toMatchObject({ message: expect.stringContaining('nmae'), extensions: { code: 'GRAPHQL_VALIDATION_FAILED' } });
    // The same text again is answered from the cache, the same way.
    expect(await run({ query: '{ enterprise(uscc: "A1") { nmae } }' })).toEqual(invalid);

    const unknown = await run({ query: 'query A { broken } query B { broken }', operationName: 'C' });
    expect(unknown.status).toBe(400);
    expect(unknown.json.errors![0]).toMatchObject({ message: 'Unknown operation named "C".', extensions: { code: 'OPERATION_RESOLUTION_FAILURE' } });
  });

  it.each([
    ['not an object', [1, 2], 'the body must be a JSON object'],
    ['no query', { variables: {} }, 'GraphQL operations must contain a non-empty `query`'],
    ['variables not an object', { query: '{ broken }', variables: 'u=1' }, '`variables` must be a JSON object'],
    ['operationName not a string', { query: '{ broken }', operationName: 7 }, '`operationName` must be a string'],
  ])('refuses a body with %s', async (_, body, message) => {
    expect(await run(body)).toEqual({ status: 400, json: { errors: [{ message, extensions: { code: 'BAD_REQUEST' } }] } });
  });

  it('gives variables that do not fit as BAD_USER_INPUT, without data', async () => {
    const result = await run({ query: 'query Q($u: String!) { enterprise(uscc: $u) { uscc } }', variables: { u: 7 } });
    expect(result.status).toBe(200);
    expect(result.json.data).toBeUndefined();
    expect(result.json.errors![0]!.extensions.code).toBe('BAD_USER_INPUT');
  });

  it('passes through its formatter an internal failure, never its stack, and keeps the code of a refusal', async () => {
    const result = await run({ query: '{ broken refused enterprise(uscc: "C3") { uscc } }' });
    expect(result.status).toBe(200);
    expect(result.json.data).toEqual({ broken: null, refused: null, enterprise: { uscc: 'C3' } });
    expect(result.json.errors).toEqual([
      { message: 'the subgraph could not read its data', locations: [{ line: 1, column: 3 }], path: ['broken'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
      { message: 'at most 5000 codes', locations: [{ line: 1, column: 10 }], path: ['refused'], extensions: { code: 'BAD_USER_INPUT' } },
    ]);
    expect(JSON.stringify(result.json)).not.toMatch(/10\.0\.0\.7|stack/);
  });
});

describe('how a request ended', () => {
  it.each([
    ['answered in full', { query: '{ enterprise(uscc: "A1") { uscc } }' }, 'ok', 'NONE'],
    ['answered in part', { query: '{ refused enterprise(uscc: "A1") { uscc } }' }, 'partial', 'BAD_USER_INPUT'],
    ['failed in a field', { query: '{ broken }' }, 'partial', 'INTERNAL_SERVER_ERROR'],
    ['could not run', { query: '{ enterprise(uscc: "A1") { nmae } }' }, 'refused', 'GRAPHQL_VALIDATION_FAILED'],
    ['had variables that do not fit', { query: 'query Q($u: String!) { enterprise(uscc: $u) { uscc } }', variables: { u: 7 } }, 'refused', 'BAD_USER_INPUT'],
    ['was no request', { variables: {} }, 'refused', 'BAD_REQUEST'],
  ])('is told for a request that %s', async (_, body, outcome, code) => {
    expect(await executor.run(body, context)).toMatchObject({ outcome, code });
  });
});

describe('an executor without a formatter of its own', () => {
  it("hides the message of an error without a code (a driver's, a bug's) and keeps the codes of the others", async () => {
    const plain = new SubgraphExecutor<{ prefix: string }>(schema);
    const logged: string[] = [];
    const log = createLogger({ service: 'meg-test', destination: new Writable({ write: (chunk, _, done) => done(void logged.push(String(chunk))) }) });
    const response = await plain.run({ query: '{ broken refused }' }, context, log.child({ requestId: 'req-9' }));
    // What the caller is not told goes to the request's log.
    expect(logged.map((l) => JSON.parse(l))).toMatchObject([{ level: 'error', requestId: 'req-9', event: 'resolver failed', error: 'Error: connection to 10.0.0.7 refused', path: ['broken'] }]);
    expect(JSON.parse(response.body)).toEqual({
      data: { broken: null, refused: null },
      errors: [
        { message: 'the request could not be answered', locations: [{ line: 1, column: 3 }], path: ['broken'], extensions: { code: 'INTERNAL_SERVER_ERROR' } },
        { message: 'at most 5000 codes', locations: [{ line: 1, column: 10 }], path: ['refused'], extensions: { code: 'BAD_USER_INPUT' } },
      ],
    });
  });
});
