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
  isAbstractType,
  isInterfaceType,
  isObjectType,
  print,
  visit,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type GraphQLCompositeType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { createHash } from 'node:crypto';
import { collectFields, fieldCompositeType, isIncluded, runtimeType, selectionContext, walkSelections, type SelectionContext, type SelectionVisitor } from '../../platform/graphql/selection.js';
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

/**
 * The field coordinates (`Type.field`) a document selects, introspection excepted: every field of
 * every operation, through every fragment and both sides of every `@skip`/`@include` (the
 * decisions are made once for any variables), a field written on an interface on each type that
 * implements it.
 */
export function selectedCoordinates(schema: GraphQLSchema, document: DocumentNode): string[] {
  const coordinates = new Set<string>();
  walkDocument(schema, document, {
    field(node, type) {
      if (isMeta(type.name, node.name.value)) return false;
      for (const coordinate of coordinatesOf(schema, type, node.name.value)) coordinates.add(coordinate);
      return true;
    },
  });
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
 * {@link ENTITY_KEY}, and its hash (the query-plan cache key). A field is pruned wherever it is
 * written, whatever directives say (the plan serves any variables); one written on an interface
 * when any type implementing it denies it (denied data never leaves its agency).
 */
export function pruneDocument(schema: GraphQLSchema, document: DocumentNode, decisions: ReadonlyMap<string, FieldDecision>): { document: DocumentNode; queryHash: string; denied: number } {
  // Where each field and selection set is written, as the walker finds them from the operations.
  const fieldTypes = new Map<FieldNode, GraphQLCompositeType>();
  const setTypes = new Map<SelectionSetNode, GraphQLCompositeType>();
  walkDocument(schema, document, {
    field: (node, type) => void fieldTypes.set(node, type),
    selectionSet: (set, type) => void setTypes.set(set, type),
  });
  let denied = 0;
  const enclosing: (GraphQLCompositeType | undefined)[] = [];
  const pruned = visit(document, {
    Field: {
      enter(node) {
        const parent = fieldTypes.get(node);
        if (!parent || isMeta(parent.name, node.name.value)) return undefined;
        if (!coordinatesOf(schema, parent, node.name.value).some((coordinate) => decisions.get(coordinate)?.effect === 'DENY')) return undefined;
        denied++;
        return null;
      },
    },
    SelectionSet: {
      enter(node) {
        enclosing.push(setTypes.get(node));
      },
      leave(node) {
        // Stryker disable next-line StringLiteral: equivalent, ENTITY_KEYS names no type but Enterprise, so any other fallback name finds no key either
        const keyField = ENTITY_KEYS[enclosing.pop()?.name ?? ''];
        if (keyField) return { ...node, selections: [...node.selections, entityKeyField(keyField)] };
        if (node.selections.length > 0) return undefined;
        return { ...node, selections: [placeholderField()] };
      },
    },
  });
  return { document: pruned, queryHash: createHash('sha256').update(print(pruned)).digest('hex'), denied };
}

/** Walks every operation of `document` as written, every branch, each fragment once (see walkSelections). */
function walkDocument(schema: GraphQLSchema, document: DocumentNode, visitor: SelectionVisitor): void {
  const context = selectionContext(schema, document);
  const opened = new Set<string>();
  for (const definition of document.definitions) {
    if (definition.kind !== Kind.OPERATION_DEFINITION) continue;
    const root = schema.getRootType(definition.operation);
    if (root) walkSelections(context, root, definition.selectionSet, visitor, opened);
  }
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
  const operation = context.document.definitions.find(
    (def): def is OperationDefinitionNode => def.kind === Kind.OPERATION_DEFINITION && (!context.operationName || def.name?.value === context.operationName),
  );
  const rootType = operation && (context.schema.getRootType(operation.operation) ?? undefined);
  if (!operation || !rootType) {
    throw new EnforcementError(`the operation ${context.operationName ?? '(anonymous)'} or its root type is not in the document or the schema`);
  }
  // @include/@skip read as the executor reads them: coerced variables, a variable not sent at its default.
  const selections = selectionContext(context.schema, context.document, operation, context.variables);
  const denied: Denied = new Map();
  const entities = new Set<string>();
  // The keys of each object of the data that a selection judged, with the object's type and path.
  const judged = new WeakMap<object, { type: string; path: (string | number)[]; keys: Set<string> }>();

  // Each object of the data once, with every field merged under each of its keys as the executor
  // merged them: a field selected twice is judged (and masked) once.
  // The fields of the items of a list are collected once for the list, per runtime type.
  const collected = new WeakMap<readonly SelectionSetNode[], Map<string, Map<string, FieldNode[]>>>();
  const fieldsOf = (runtime: GraphQLCompositeType, selectionSets: readonly SelectionSetNode[]): Map<string, FieldNode[]> => {
    let byType = collected.get(selectionSets);
    if (!byType) collected.set(selectionSets, (byType = new Map<string, Map<string, FieldNode[]>>()));
    let fields = byType.get(runtime.name);
    if (!fields) byType.set(runtime.name, (fields = collectFields(selections, runtime, selectionSets, { withExcludedFields: true })));
    return fields;
  };
  const walk = (type: GraphQLCompositeType, selectionSets: readonly SelectionSetNode[], value: Record<string, unknown>, path: (string | number)[]) => {
    const runtime = runtimeType(selections, type, value);
    let entry = judged.get(value);
    if (!entry) judged.set(value, (entry = { type: runtime.name, path, keys: new Set() }));
    const keys = entry.keys;
    for (const [key, nodes] of fieldsOf(runtime, selectionSets)) {
      // Fail closed: a field in the data is judged even if its directives seem to exclude it.
      const ran = Object.hasOwn(value, key) ? nodes : nodes.filter((node) => isIncluded(selections, node));
      if (ran.length === 0) continue;
      keys.add(key);
      const name = ran[0]!.name.value;
      if (name.startsWith('__')) continue;
      const coordinate = `${runtime.name}.${name}`;
      const decision = context.decisions.get(coordinate);
      if (!decision || decision.effect === 'DENY') {
        for (const node of ran) {
          const entry = deniedEntry(denied, node, coordinate, decision ?? UNDECIDED);
          if (!entry.path) entry.path = [...path, key];
        }
        value[key] = null;
        continue;
      }
      const fieldValue = value[key];
      if (decision.effect === 'MASK') {
        value[key] = maskDeep(fieldValue, decision.mask!, context.mask);
        continue;
      }
      const below = ran.flatMap((node) => (node.selectionSet ? [node.selectionSet] : []));
      if (below.length === 0 || fieldValue === null || fieldValue === undefined) continue;
      const fieldType = fieldCompositeType(runtime, name);
      if (!fieldType) {
        // Nothing here knows what lies below: it is not released.
        for (const node of ran) if (node.selectionSet) denied.set(node, new Map([[coordinate, { coordinate, decision: UNJUDGED, path: [...path, key] }]]));
        value[key] = null;
        continue;
      }
      forEachObject(fieldValue, [...path, key], (item, itemPath) => walk(fieldType, below, item, itemPath));
    }
    delete value[PLACEHOLDER];
    if (ENTITY_KEYS[runtime.name] && Object.hasOwn(value, ENTITY_KEY)) {
      const key = value[ENTITY_KEY];
      if (typeof key === 'string') entities.add(key);
      delete value[ENTITY_KEY];
    }
  };

  // Also report denied fields under parents that came back null, so the caller learns why; and
  // gather the codes named by the fields that ran.
  collectDeniedFields(selections, operation.selectionSet, rootType, context, denied, entities);
  const unjudged: { coordinate: string; path: (string | number)[] }[] = [];
  if (data) {
    walk(rootType, [operation.selectionSet], data, []);
    sweep(data, judged, unjudged);
  }

  const errors = [...[...denied.values()].flatMap((byCoordinate) => [...byCoordinate.values()]), ...unjudged.map((u) => ({ ...u, decision: UNJUDGED }))].map(({ coordinate, decision, path }) => {
    const entry = context.catalogue.get(coordinate);
    return new GraphQLError(`${coordinate} is not shared with this caller: ${decision.reason}`, {
      ...(path ? { path } : {}),
      extensions: { code: 'FORBIDDEN_FIELD', coordinate, sharing: entry?.sharing ?? null, rule: decision.rule, reason: decision.reason },
    });
  });
  return { errors, entities };
}

/** One denial to report: a field node of the operation, by the coordinate it was denied on. */
type Denied = Map<FieldNode, Map<string, { coordinate: string; decision: FieldDecision; path?: (string | number)[] }>>;

/** The denial of `node` on `coordinate`, noted the first time it is found. */
function deniedEntry(denied: Denied, node: FieldNode, coordinate: string, decision: FieldDecision): { coordinate: string; decision: FieldDecision; path?: (string | number)[] } {
  let byCoordinate = denied.get(node);
  if (!byCoordinate) denied.set(node, (byCoordinate = new Map<string, { coordinate: string; decision: FieldDecision; path?: (string | number)[] }>()));
  let entry = byCoordinate.get(coordinate);
  if (!entry) byCoordinate.set(coordinate, (entry = { coordinate, decision }));
  return entry;
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
function sweep(value: unknown, judged: WeakMap<object, { type: string; path: (string | number)[]; keys: Set<string> }>, unjudged: { coordinate: string; path: (string | number)[] }[]): void {
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

/**
 * Notes every denied field of the operation that its directives let run, with no path yet (the
 * walk of the data gives one to those it meets), on every type it may be selected on; and the
 * codes the arguments of the fields that ran name.
 */
function collectDeniedFields(selections: SelectionContext, selectionSet: SelectionSetNode, rootType: GraphQLCompositeType, context: ApplyContext, denied: Denied, named: Set<string>): void {
  walkSelections(selections, rootType, selectionSet, {
    field(node, type) {
      const name = node.name.value;
      if (name.startsWith('__')) return false;
      let ran = false;
      for (const coordinate of coordinatesOf(selections.schema, type, name)) {
        const decision = context.decisions.get(coordinate);
        if (!decision || decision.effect === 'DENY') deniedEntry(denied, node, coordinate, decision ?? UNDECIDED);
        else ran = true;
      }
      if (!ran || !(isObjectType(type) || isInterfaceType(type))) return false;
      const field = type.getFields()[name];
      // The field ran with these arguments: the enterprises they name were asked for.
      for (const arg of node.arguments ?? []) {
        const definition = field?.args.find((a) => a.name === arg.name.value);
        if (definition) collectCodes(valueFromAST(arg.value, definition.type, selections.variables), definition.type, named);
      }
      return true;
    },
  });
}

/**
 * The coordinates a field written on `type` is decided on: its own on an object type; on an
 * abstract type, the field of each possible type (the policy classifies the fields of objects,
 * and a result is judged by the type of each object it holds).
 */
function coordinatesOf(schema: GraphQLSchema, type: GraphQLCompositeType, field: string): string[] {
  if (!isAbstractType(type)) return [`${type.name}.${field}`];
  return schema.getPossibleTypes(type).map((possible) => `${possible.name}.${field}`);
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

function entityKeyField(keyField: string): FieldNode {
  return { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: ENTITY_KEY }, name: { kind: Kind.NAME, value: keyField } };
}

function placeholderField(): FieldNode {
  return { kind: Kind.FIELD, alias: { kind: Kind.NAME, value: PLACEHOLDER }, name: { kind: Kind.NAME, value: '__typename' } };
}
