import { buildSchema, execute, parse, type GraphQLResolveInfo } from 'graphql';
import { describe, expect, it } from 'vitest';
import { selectedFields } from './lookahead.js';

const schema = buildSchema(`
  type Query { enterprise: Enterprise }
  type Enterprise { uscc: String market: Market }
  type Market { name: String penalties: [String] licences: [String] }
`);

describe('the fields a query selects below the field being resolved', () => {
  it('are those written below it and below its subfield, through fragments and on both sides of @skip', async () => {
    const seen = await lookAhead('query($no: Boolean = true) { enterprise { uscc ...E market { penalties } } } fragment E on Enterprise { market { ... on Market { licences } name @skip(if: $no) } }');
    expect(seen).toEqual({ own: ['market', 'uscc'], market: ['licences', 'name', 'penalties'] });
  });

  it('are none below a subfield the query does not select', async () => {
    expect(await lookAhead('{ enterprise { uscc } }')).toEqual({ own: ['uscc'], market: [] });
  });
});

/** What the resolver of `enterprise` sees ahead of it when `query` runs. */
async function lookAhead(query: string): Promise<{ own: string[]; market: string[] }> {
  let seen = { own: [] as string[], market: [] as string[] };
  // A function of the root value is called with the arguments, the context and the info.
  const enterprise = (_args: unknown, _context: unknown, info: GraphQLResolveInfo) => {
    seen = { own: [...selectedFields(info)].sort(), market: [...selectedFields(info, 'market')].sort() };
    return { uscc: 'x', market: {} };
  };
  const result = await execute({ schema, document: parse(query), rootValue: { enterprise } });
  expect(result.errors).toBeUndefined();
  return seen;
}
