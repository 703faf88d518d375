/**
 * Field-level enforcement of the access decisions on one operation:
 *   prune  — denied fields are removed from the document before the query is planned, so the
 *            owning agency is never asked for them (denied data never leaves its agency);
 *   apply  — after execution, denied fields read null with a FORBIDDEN_FIELD error, masked
 *            fields are masked before the response leaves the gateway.
 * All deniable fields are nullable (the build checks it), so a null there never breaks a parent.
 */
import {
  GraphQLError,
  Kind,
  TypeInfo,
  getNamedType,
  isCompositeType,
  isInputType,
  isObjectType,
  print,
  typeFromAST,
  visit,
  visitWithTypeInfo,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type SelectionNode,
  type SelectionSetNode,
} from 'graphql';
import { createHash } from 'node:crypto';
import type { CatalogueEntry } from '../catalogue.js';
import { collectCodes } from '../limits.js';
import type { FieldDecision } from './accessPolicy.js';
import type { Masker } from './masking.js';

/** Response key of the placeholder that keeps a fully pruned selection set valid. */
const PLACEHOLDER = '__meg_pruned';

/**
 * Response key under which the gateway asks for the key of every entity the operation reads,
 * whether or not the caller selected it, so that the access log names each enterprise whose
 * data was read (callers may not alias a field so: checkDocumentShape refuses `__` aliases).
 */
const ENTITY_KEY = '__meg_key';

/** The entity types whose reads the access log names, with their key field. */
const ENTITY_KEYS: Readonly<Record<string, string>> = { Enterprise: 'uscc' };

/** The field coordinates (`Type.field`) a document selects, introspection excepted. */
export function selectedCoordinates(schema: GraphQLSchema, document: DocumentNode): string[] {
  const coordinates = new Set<string>();
  const typeInfo = new TypeInfo(schema);
  visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field(node) {
        const parent = typeInfo.getParentType();
        if (parent && !isMeta(parent.name, node.name.value)) coordinates.add(`${parent.name}.${node.name.value}`);
      },
    }),
  );
  return [...coordinates].sort();
}

/**
 * Introspection (`__typename`, `__schema`, `__type` and the fields of the `__Type`… types) is
 * not data of any agency: the policy does not classify it, and who may introspect is decided
 * before (limits.ts).
 */
function isMeta(parentType: string, field: string): boolean {
  return field.startsWith('__') || parentType.startsWith('__');
}

/**
 * The document without the denied fields, with the key of every entity it reads asked for under
 * {@link ENTITY_KEY}, and its hash (the query-plan cache key).
 */
export function pruneDocument(
  schema: GraphQLSchema,
  document: DocumentNode,
  decisions: ReadonlyMap<string, FieldDecision>,
): { document: DocumentNode; queryHash: string; denied: number } {
  let denied = 0;
  const typeInfo = new TypeInfo(schema);
  const pruned = visit(
    document,
    visitWithTypeInfo(typeInfo, {
      Field: {
        enter(node) {
          const parent = typeInfo.getParentType();
          if (!parent || isMeta(parent.name, node.name.value)) return undefined;
          if (decisions.get(`${parent.name}.${node.name.value}`)?.effect !== 'DENY') return undefined;
          denied++;
          return null;
        },
      },
      SelectionSet: {
        leave(node) {
          // Stryker disable next-line StringLiteral: equivalent, ENTITY_KEYS names no type but Enterprise, so any other fallback name finds no key either
          const keyField = ENTITY_KEYS[typeInfo.getParentType()?.name ?? ''];
          if (keyField) return { ...node, selections: [...node.selections, entityKeyField(keyField)] };
          if (node.selections.length > 0) return undefined;
          return { ...node, selections: [placeholderField()] };
        },
      },
    }),
  );
  return { document: pruned, queryHash: createHash('sha256').update(print(pruned)).digest('hex'), denied };
}

/** Context for applying decisions to a result. */
export interface ApplyContext {
  readonly schema: GraphQLSchema;
  /** The operation as the caller sent it (before pruning). */
  readonly document: DocumentNode;
  readonly operationName: string | null | undefined;
  readonly variables: Readonly<Record<string, unknown>>;
  readonly decisions: ReadonlyMap<string, FieldDecision>;
  readonly catalogue: ReadonlyMap<string, CatalogueEntry>;
  readonly mask: Masker;
}

/** What applying the decisions to a result gave. */
export interface Applied {
  /** One FORBIDDEN_FIELD error per denied field of the operation. */
  readonly errors: GraphQLError[];
  /**
   * The enterprises the executed operation read: the codes in the arguments of the fields that
   * ran (included by their directives, not denied), and the keys of the entities the result holds.
   */
  readonly entities: ReadonlySet<string>;
}

/** The decisions could not be applied: the result must not be released. */
export class EnforcementError extends Error {
  override readonly name = 'EnforcementError';
}

/**
 * Puts null where fields were denied and masks what must be masked, in place; takes out the
 * entity keys the gateway asked for (see {@link pruneDocument}) and returns them, with one
 * FORBIDDEN_FIELD error per denied field of the operation (with the path of its first
 * occurrence in the data, when there is one).
 *
 * It fails closed: a value in the data that no selection of the operation accounts for (a type
 * it cannot resolve, a fragment it cannot match) is put to null and reported as undecided, and
 * an operation it cannot find throws {@link EnforcementError}, so that nothing is released unjudged.
 */
export function applyDecisions(data: Record<string, unknown> | null | undefined, context: ApplyContext): Applied {
  const fragments = new Map<string, FragmentDefinitionNode>();
  let operation: SelectionSetNode | undefined;
  let rootType: GraphQLCompositeType | undefined;
  // @include/@skip read variables as the executor does: a variable not sent takes its default.
  const variables: Record<string, unknown> = {};
  for (const def of context.document.definitions) {
    if (def.kind === Kind.FRAGMENT_DEFINITION) fragments.set(def.name.value, def);
    if (def.kind === Kind.OPERATION_DEFINITION && (!context.operationName || def.name?.value === context.operationName) && !operation) {
      operation = def.selectionSet;
      rootType = context.schema.getRootType(def.operation) ?? undefined;
      for (const v of def.variableDefinitions ?? []) {
        const type = typeFromAST(context.schema, v.type);
        // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent, valueFromAST gives undefined for a variable without a default, as for one not sent; and validation has refused a variable whose type is unknown or not an input type
        if (v.defaultValue && type && isInputType(type)) variables[v.variable.name.value] = valueFromAST(v.defaultValue, type);
      }
    }
  }
  Object.assign(variables, context.variables);
  context = { ...context, variables };
  const denied = new Map<FieldNode, { coordinate: string; decision: FieldDecision; path?: (string | number)[] }>();
  const entities = new Set<string>();
  if (!operation || !rootType) {
    throw new EnforcementError(`the operation ${context.operationName ?? '(anonymous)'} or its root type is not in the document or the schema`);
  }
  // The keys of each object of the data that a selection judged, with the object's type and path.
  const judged = new WeakMap<object, { type: string; path: (string | number)[]; keys: Set<string> }>();
  const judge = (value: Record<string, unknown>, type: GraphQLCompositeType, path: (string | number)[], key: string) => {
    let entry = judged.get(value);
    // Stryker disable next-line ConditionalExpression,ObjectLiteral: equivalent, walk has registered the object before it judges any of its keys
    if (!entry) judged.set(value, (entry = { type: type.name, path, keys: new Set() }));
    entry.keys.add(key);
  };

  const walk = (selectionSet: SelectionSetNode, type: GraphQLCompositeType, value: Record<string, unknown>, path: (string | number)[]) => {
    if (!judged.has(value)) judged.set(value, { type: type.name, path, keys: new Set() });
    for (const selection of selectionSet.selections) {
      // Fail closed: a field in the data is judged even if the directives seem to exclude it.
      const present = selection.kind === Kind.FIELD && Object.hasOwn(value, selection.alias?.value ?? selection.name.value);
      if (!present && !included(selection, context.variables)) continue;
      if (selection.kind === Kind.FIELD) {
        const name = selection.name.value;
        const key = selection.alias?.value ?? name;
        if (name.startsWith('__')) {
          judge(value, type, path, key);
          continue;
        }
        judge(value, type, path, key);
        const coordinate = `${type.name}.${name}`;
        const decision = context.decisions.get(coordinate);
        if (!decision || decision.effect === 'DENY') {
          const entry = denied.get(selection) ?? { coordinate, decision: decision ?? UNDECIDED };
          if (!entry.path) entry.path = [...path, key];
          denied.set(selection, entry);
          value[key] = null;
          continue;
        }
        const fieldValue = value[key];
        if (decision.effect === 'MASK') {
          value[key] = maskDeep(fieldValue, decision.mask!, context.mask);
          continue;
        }
        if (!selection.selectionSet || fieldValue === null || fieldValue === undefined) continue;
        const fieldType = isObjectType(type) ? getNamedType(type.getFields()[name]?.type) : undefined;
        if (!fieldType || !isCompositeType(fieldType)) {
          // Nothing here knows what lies below: it is not released.
          denied.set(selection, { coordinate, decision: UNJUDGED, path: [...path, key] });
          value[key] = null;
          continue;
        }
        forEachObject(fieldValue, [...path, key], (item, itemPath) => walk(selection.selectionSet!, fieldType, item, itemPath));
      } else {
        const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
        if (!fragment) continue;
        const condition = fragment.typeCondition ? context.schema.getType(fragment.typeCondition.name.value) : type;
        // Stryker disable next-line LogicalOperator: equivalent, a fragment on a scalar is skipped by the next check too, as no object's __typename names a scalar (Apollo's result shaping refuses one)
        if (!condition || !isCompositeType(condition)) continue;
        if (condition.name !== type.name && value['__typename'] !== condition.name) continue;
        walk(fragment.selectionSet, condition, value, path);
      }
    }
    delete value[PLACEHOLDER];
    if (ENTITY_KEYS[type.name] && Object.hasOwn(value, ENTITY_KEY)) {
      const key = value[ENTITY_KEY];
      if (typeof key === 'string') entities.add(key);
      delete value[ENTITY_KEY];
    }
  };

  // Also report denied fields under parents that came back null, so the caller learns why; and
  // gather the codes named by the fields that ran.
  collectDeniedFields(operation, rootType, fragments, context, denied, entities);
  const unjudged: { coordinate: string; path: (string | number)[] }[] = [];
  if (data) {
    walk(operation, rootType, data, []);
    sweep(data, judged, unjudged);
  }

  const errors = [...denied.values(), ...unjudged.map((u) => ({ ...u, decision: UNJUDGED }))].map(({ coordinate, decision, path }) => {
    const entry = context.catalogue.get(coordinate);
    return new GraphQLError(`${coordinate} is not shared with this caller: ${decision.reason}`, {
      ...(path ? { path } : {}),
      extensions: { code: 'FORBIDDEN_FIELD', coordinate, sharing: entry?.sharing ?? null, rule: decision.rule, reason: decision.reason },
    });
  });
  return { errors, entities };
}

// Stryker disable next-line StringLiteral: the effect of these stand-ins is never read (equivalent); their rule and reason reach the caller and the tests pin them
const UNDECIDED: FieldDecision = { effect: 'DENY', rule: 'policy_error', reason: 'the policy did not decide this field, so it is denied' };
// Stryker disable next-line StringLiteral: as above, the effect is never read (equivalent); the rule and reason are pinned by the tests
const UNJUDGED: FieldDecision = { effect: 'DENY', rule: 'policy_error', reason: 'the gateway could not apply the policy to this value, so it is withheld' };

/**
 * Puts to null every value of the data that no selection judged (the walk marks what it judged),
 * and goes down into the objects it judged. Objects the walk never reached are the values of
 * denied, masked or scalar fields, already decided.
 */
function sweep(
  value: unknown,
  judged: WeakMap<object, { type: string; path: (string | number)[]; keys: Set<string> }>,
  unjudged: { coordinate: string; path: (string | number)[] }[],
): void {
  if (Array.isArray(value)) {
    for (const item of value) sweep(item, judged, unjudged);
    return;
  }
  // Stryker disable next-line ConditionalExpression,LogicalOperator: equivalent, judged.get gives undefined for a value that is not an object, as for an object never judged
  if (!value || typeof value !== 'object') return;
  const entry = judged.get(value);
  if (!entry) return;
  const object = value as Record<string, unknown>;
  for (const key of Object.keys(object)) {
    if (entry.keys.has(key)) {
      sweep(object[key], judged, unjudged);
    } else if (object[key] !== null) {
      unjudged.push({ coordinate: `${entry.type}.${key}`, path: [...entry.path, key] });
      object[key] = null;
    }
  }
}

function collectDeniedFields(
  selectionSet: SelectionSetNode,
  type: GraphQLCompositeType,
  fragments: ReadonlyMap<string, FragmentDefinitionNode>,
  context: ApplyContext,
  denied: Map<FieldNode, { coordinate: string; decision: FieldDecision; path?: (string | number)[] }>,
  named: Set<string>,
  seen = new Set<string>(),
): void {
  for (const selection of selectionSet.selections) {
    if (!included(selection, context.variables)) continue;
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      if (name.startsWith('__')) continue;
      const coordinate = `${type.name}.${name}`;
      const decision = context.decisions.get(coordinate);
      if (!decision || decision.effect === 'DENY') {
        // Stryker disable next-line ConditionalExpression: equivalent, this runs before the walk and reaches each selection once (each fragment once), so nothing is in denied yet
        if (!denied.has(selection)) denied.set(selection, { coordinate, decision: decision ?? UNDECIDED });
        continue;
      }
      if (!isObjectType(type)) continue;
      const field = type.getFields()[name];
      // The field ran with these arguments: the enterprises they name were asked for.
      for (const arg of selection.arguments ?? []) {
        const definition = field?.args.find((a) => a.name === arg.name.value);
        if (definition) collectCodes(valueFromAST(arg.value, definition.type, context.variables), definition.type, named);
      }
      // Stryker disable next-line ConditionalExpression: equivalent, a field without a selection set is a leaf (validation has refused an object field without one), so nothing is below it
      if (!selection.selectionSet) continue;
      const fieldType = getNamedType(field?.type);
      if (fieldType && isCompositeType(fieldType)) collectDeniedFields(selection.selectionSet, fieldType, fragments, context, denied, named, seen);
    } else {
      // Stryker disable next-line ConditionalExpression,BlockStatement: equivalent, visiting a fragment again finds the same fields and codes (validation has refused cycles, and the cost limit bounds the work)
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        // Stryker disable next-line ConditionalExpression: as above, a fragment visited again adds nothing new
        if (seen.has(selection.name.value)) continue;
        seen.add(selection.name.value);
      }
      const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? fragments.get(selection.name.value) : selection;
      if (!fragment) continue;
      const condition = fragment.typeCondition ? context.schema.getType(fragment.typeCondition.name.value) : type;
      if (condition && isCompositeType(condition)) collectDeniedFields(fragment.selectionSet, condition, fragments, context, denied, named, seen);
    }
  }
}

function maskDeep(value: unknown, mask: string, masker: Masker): unknown {
  if (Array.isArray(value)) return value.map((v) => maskDeep(v, mask, masker));
  return masker(mask, value);
}

function forEachObject(value: unknown, path: (string | number)[], visitObject: (item: Record<string, unknown>, path: (string | number)[]) => void): void {
  if (Array.isArray(value)) {
    value.forEach((item, i) => forEachObject(item, [...path, i], visitObject));
  } else if (value && typeof value === 'object') {
    visitObject(value as Record<string, unknown>, path);
  }
}

/** Whether @skip/@include let a selection through, for these variables. */
function included(selection: SelectionNode, variables: Readonly<Record<string, unknown>>): boolean {
  for (const directive of selection.directives ?? []) {
    const name = directive.name.value;
    // Stryker disable next-line ConditionalExpression: equivalent, any other directive, with or without an `if`, skips and includes nothing below
    if (name !== 'skip' && name !== 'include') continue;
    // Stryker disable next-line OptionalChaining,ConditionalExpression: equivalent, validation has refused a @skip or @include without its one argument, `if`
    const arg = directive.arguments?.find((a) => a.name.value === 'if')?.value;
    // Stryker disable next-line OptionalChaining,ConditionalExpression,BooleanLiteral: equivalent, validation has refused an `if` that is not a Boolean or a variable
    const on = arg?.kind === Kind.BOOLEAN ? arg.value : arg?.kind === Kind.VARIABLE ? variables[arg.name.value] === true : false;
    if ((name === 'skip' && on) || (name === 'include' && !on)) return false;
  }
  return true;
}

function entityKeyField(keyField: string): FieldNode {
  return { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: ENTITY_KEY }, name: { kind: Kind.NAME, value: keyField } };
}

function placeholderField(): FieldNode {
  return { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: PLACEHOLDER }, name: { kind: Kind.NAME, value: '__typename' } };
}
