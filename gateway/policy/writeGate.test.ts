/**
 * The gate on writes, over the compiled policy (make build): which root fields of a mutation it
 * decides, on which enterprise, and what a refusal says.
 */
import path from 'node:path';
import { buildSchema, Kind, parse, type FragmentDefinitionNode, type OperationDefinitionNode } from 'graphql';
import { beforeAll, describe, expect, it } from 'vitest';
import { projectRoot } from '../../platform/config/projectRoot.js';
import { AccessPolicy, type Principal } from './accessPolicy.js';
import { decideWrites, recordedWrites, refusedWrites } from './writeGate.js';

const schema = buildSchema(`
  scalar USCC
  input RecordPenaltyInput { uscc: USCC!, amount: Float! }
  input EntryRemovalInput { uscc: USCC! }
  type PenaltyWrite { ok: Boolean }
  type Query { x: Int }
  type Mutation {
    recordPenalty(input: RecordPenaltyInput!, idempotencyKey: String!): PenaltyWrite
    removeSeriousViolation(input: EntryRemovalInput!, idempotencyKey: String!): PenaltyWrite
    rateTaxCredit(input: RecordPenaltyInput!, idempotencyKey: String!): PenaltyWrite
  }
`);

const BEIJING = '91110105MA01ABCD1X';
const SHANGHAI = '91310115MA01ABCD1X';
const officer: Principal = { sub: 'm1', agency: 'MARKET', roles: ['officer'], region: '110000', purposes: ['CREDIT_SUPERVISION'], public: false };

let policy: AccessPolicy;
beforeAll(async () => {
  policy = await AccessPolicy.load(path.join(projectRoot, 'gateway/generated/policy.wasm'), path.join(projectRoot, 'gateway/generated/catalogue.json'));
});

function decide(text: string, variables: Record<string, unknown> = {}, principal = officer, purpose: string | null = 'CREDIT_SUPERVISION') {
  const document = parse(text);
  const operation = document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
  const fragments = new Map(document.definitions.filter((d): d is FragmentDefinitionNode => d.kind === Kind.FRAGMENT_DEFINITION).map((d) => [d.name.value, d]));
  return decideWrites(policy, schema, operation, fragments, variables, principal, purpose);
}

describe('the gate on writes', () => {
  it('decides every root field, through aliases and fragments, each on the enterprise its input names', () => {
    const writes = decide(
      `mutation($u: USCC!) {
        first: recordPenalty(input: { uscc: $u, amount: 1 }, idempotencyKey: "a") { ok }
        ... on Mutation { second: recordPenalty(input: { uscc: "${SHANGHAI}", amount: 2 }, idempotencyKey: "b") { ok } }
        ...More
        __typename
      }
      fragment More on Mutation { rateTaxCredit(input: { uscc: "${BEIJING}", amount: 3 }, idempotencyKey: "c") { ok } }`,
      { u: BEIJING },
    );
    expect(writes.map((w) => [w.coordinate, w.uscc, w.decision.effect, w.decision.rule])).toEqual([
      ['Mutation.recordPenalty', BEIJING, 'ALLOW', 'owner_officer_in_jurisdiction'],
      ['Mutation.recordPenalty', SHANGHAI, 'DENY', 'outside_jurisdiction'],
      ['Mutation.rateTaxCredit', BEIJING, 'DENY', 'not_owner'],
    ]);
    expect(writes[0]!.arguments).toEqual({ input: { uscc: BEIJING, amount: 1 }, idempotencyKey: 'a' });
  });

  it('decides nothing for a query', () => {
    expect(decide('{ x }')).toEqual([]);
  });

  it('denies a write whose enterprise it cannot tell (variables that do not fit), rather than guess', () => {
    const [write] = decide('mutation($u: USCC!) { recordPenalty(input: { uscc: $u, amount: 1 }, idempotencyKey: "a") { ok } }', { u: 42 });
    expect(write).toMatchObject({ uscc: null, decision: { effect: 'DENY', rule: 'no_write_rule' } });
  });

  it('answers a refusal with the coordinate, the rule and the reason, and says nothing was written; the record keeps every write', () => {
    const writes = decide(`mutation { recordPenalty(input: { uscc: "${SHANGHAI}", amount: 1 }, idempotencyKey: "a") { ok } }`);
    const [refusal] = refusedWrites(writes);
    expect(refusal!.message).toBe("Mutation.recordPenalty is refused: the enterprise is registered in region 310115, outside the caller's area 110000; nothing was written");
    expect(refusal!.extensions).toMatchObject({ code: 'FORBIDDEN', coordinate: 'Mutation.recordPenalty', rule: 'outside_jurisdiction' });
    expect(recordedWrites(writes)).toEqual([
      { coordinate: 'Mutation.recordPenalty', uscc: SHANGHAI, effect: 'DENY', rule: 'outside_jurisdiction', arguments: { input: { uscc: SHANGHAI, amount: 1 }, idempotencyKey: 'a' } },
    ]);
  });

  it('refuses the public and a caller without the write purpose', () => {
    const text = `mutation { recordPenalty(input: { uscc: "${BEIJING}", amount: 1 }, idempotencyKey: "a") { ok } }`;
    expect(decide(text, {}, { sub: 'public', agency: null, roles: [], region: null, purposes: [], public: true }, null)[0]!.decision.rule).toBe('public_principal');
    expect(decide(text, {}, officer, 'REGISTRATION_REVIEW')[0]!.decision.rule).toBe('write_purpose');
  });
});
