/**
 * The gateway's gate on writes. Before a mutation is planned, each of its root fields is decided
 * by the write policy (policies/meg/write) for the caller, the declared purpose and the enterprise
 * it writes (its `input.uscc`): the owning agency's officers, for the write's purpose, within
 * their region. If any is denied, none is run: the answer is `FORBIDDEN` with the reason, and the
 * agency is not asked. What each write asked to record goes into the request's audit record.
 */
import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  getArgumentValues,
  getVariableValues,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type { RecordedWrite } from '../audit/auditLog.js';
import type { AccessPolicy, FieldDecision, Principal } from './accessPolicy.js';

/** A mutation field of an operation, with its arguments and the policy's decision on it. */
export interface DecidedWrite {
  readonly coordinate: string;
  readonly uscc: string | null;
  readonly arguments: Readonly<Record<string, unknown>>;
  readonly decision: FieldDecision;
}

/** The writes an operation asks for, each decided; an empty list for an operation that is not a mutation. */
export function decideWrites(
  policy: AccessPolicy,
  schema: GraphQLSchema,
  operation: OperationDefinitionNode,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  rawVariables: Readonly<Record<string, unknown>>,
  principal: Principal,
  purpose: string | null,
): DecidedWrite[] {
  if (operation.operation !== OperationTypeNode.MUTATION) return [];
  const mutationType = schema.getMutationType();
  if (!mutationType) return [];
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], { ...rawVariables });
  // Apollo has validated the variables already; variables it could not coerce decide nothing but a denial.
  const variables = coerced.coerced ?? {};
  const decided: DecidedWrite[] = [];
  for (const field of rootFields(operation.selectionSet, fragments, new Set())) {
    const coordinate = `${mutationType.name}.${field.name.value}`;
    const definition = mutationType.getFields()[field.name.value];
    let args: Record<string, unknown> = {};
    try {
      if (definition && !coerced.errors) args = getArgumentValues(definition, field, variables);
    } catch {
      args = {};
    }
    const uscc = usccOf(args);
    decided.push({ coordinate, uscc, arguments: args, decision: policy.decideWrite(principal, purpose, coordinate, uscc) });
  }
  return decided;
}

/** The answer to a mutation with a denied write: every denial, with its reason; nothing was run. */
export function refusedWrites(writes: readonly DecidedWrite[]): GraphQLError[] {
  return writes
    .filter((w) => w.decision.effect !== 'ALLOW')
    .map(
      (w) =>
        new GraphQLError(`${w.coordinate} is refused: ${w.decision.reason}; nothing was written`, {
          extensions: { code: 'FORBIDDEN', coordinate: w.coordinate, rule: w.decision.rule, reason: w.decision.reason },
        }),
    );
}

/** The writes as the audit record keeps them. */
export function recordedWrites(writes: readonly DecidedWrite[]): RecordedWrite[] {
  return writes.map((w) => ({ coordinate: w.coordinate, uscc: w.uscc, effect: w.decision.effect, rule: w.decision.rule, arguments: w.arguments }));
}

/** The code a write names (its `input.uscc`), or null. */
function usccOf(args: Readonly<Record<string, unknown>>): string | null {
  const input = args['input'];
  if (!input || typeof input !== 'object') return null;
  const uscc = (input as Record<string, unknown>)['uscc'];
  return typeof uscc === 'string' ? uscc : null;
}

/** The fields at the root of a selection set, through inline fragments and fragment spreads (each spread once). */
function* rootFields(set: SelectionSetNode, fragments: ReadonlyMap<string, FragmentDefinitionNode>, spread: Set<string>): Generator<FieldNode> {
  for (const selection of set.selections) {
    if (selection.kind === Kind.FIELD) {
      if (!selection.name.value.startsWith('__')) yield selection;
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      yield* rootFields(selection.selectionSet, fragments, spread);
    } else {
      const name = selection.name.value;
      const fragment = fragments.get(name);
      if (fragment && !spread.has(name)) {
        spread.add(name);
        yield* rootFields(fragment.selectionSet, fragments, spread);
      }
    }
  }
}
