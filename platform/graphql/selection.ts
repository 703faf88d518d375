/**
 * The one walker over selection sets. The gateway asks the same question of a document in many
 * places — which fields does it select, through which fragments, under which response keys, and
 * which of them do `@skip`/`@include` leave out — when it decides the policy, prunes what is
 * denied, masks the answer, measures the limits, and when a subgraph looks ahead for the lists a
 * profile query will read. Answered by a walker of each, the answers drifted: a masked field has
 * come back unmasked through such a difference, and the walker that masked passed over fragments on
 * interfaces and masked a field selected twice twice. Here they are answered once, as graphql-js's
 * executor answers them (src/execution/collectFields.ts), so that what is judged is what runs.
 *
 * Two questions, two answers:
 * - {@link collectFields}: the fields a selection set yields on one type, merged under their
 *   response keys as execution merges them (for a result object, whose type is known);
 * - {@link fieldsInScope} and {@link walkSelections}: every field written below a selection set,
 *   each with the type it is written on, fragments opened whatever type they apply to (for the
 *   document as written, before the runtime types are known: what a field of an abstract type
 *   selects on any of its possible types is all there).
 *
 * Each reads `@skip`/`@include` with the operation's variables when the {@link SelectionContext}
 * has them, or walks every branch when it does not (a document judged for any variables).
 */
import {
  GraphQLIncludeDirective,
  GraphQLSkipDirective,
  Kind,
  getDirectiveValues,
  getNamedType,
  getVariableValues,
  isAbstractType,
  isCompositeType,
  isInputType,
  isInterfaceType,
  isObjectType,
  typeFromAST,
  valueFromAST,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type FragmentSpreadNode,
  type GraphQLCompositeType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type InlineFragmentNode,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';

/** What every walk over one document needs: the schema, the document's fragments, and the variables if they are known. */
export interface SelectionContext {
  readonly schema: GraphQLSchema;
  readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  /**
   * The operation's variables, coerced, with the defaults of its variable definitions applied:
   * `@skip`/`@include` are evaluated with them. Absent, no directive excludes anything and every
   * branch is walked (a document judged before its variables are known, or for all of them).
   */
  readonly variables?: Readonly<Record<string, unknown>>;
}

/**
 * The context of `document` on `schema`. With `variables` (the values a caller sent for
 * `operation`), the directives are evaluated as the executor evaluates them: the values coerced by
 * the variable definitions, a variable not sent taking its default. Without them, every branch.
 */
export function selectionContext(schema: GraphQLSchema, document: DocumentNode, operation?: OperationDefinitionNode, variables?: Readonly<Record<string, unknown>>): SelectionContext {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
  }
  if (!variables) return { schema, fragments };
  return { schema, fragments, variables: operation ? operationVariables(schema, operation, variables) : variables };
}

/**
 * The variables of `operation` as the executor reads them: coerced by their definitions, a
 * variable not sent taking its default. Values that cannot be coerced (the executor refuses the
 * operation then) are taken as sent, over the defaults, so that a judge run on them still ends.
 */
export function operationVariables(schema: GraphQLSchema, operation: OperationDefinitionNode, inputs: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const coerced = getVariableValues(schema, operation.variableDefinitions ?? [], inputs);
  if (coerced.coerced) return coerced.coerced;
  const variables: Record<string, unknown> = {};
  for (const definition of operation.variableDefinitions ?? []) {
    const type = typeFromAST(schema, definition.type);
    if (definition.defaultValue && type && isInputType(type)) variables[definition.variable.name.value] = valueFromAST(definition.defaultValue, type);
  }
  return Object.assign(variables, inputs);
}

/** Options of {@link collectFields}. */
export interface CollectOptions {
  /**
   * Also collect, in their places, the fields whose own `@skip`/`@include` leave them out (the
   * fragments' directives still apply). For a judge of results that fails closed: a value in the
   * data that a skipped field would have answered is judged as that field, not passed over.
   * {@link isIncluded} tells such a node from one that ran.
   */
  readonly withExcludedFields?: boolean;
}

/**
 * The fields `selectionSets` (the sets of every field merged under one response key, or one set)
 * yield on `type`, by response key, in the order execution answers them, each with every field
 * node merged under it. As graphql-js's `collectFields`: fragments apply to `type` when they have
 * no type condition, when it names `type`, or when it names an abstract type `type` belongs to;
 * each named fragment is opened once; `@skip`/`@include` are read with the context's variables.
 *
 * `type` is the runtime type of the value. When that is not known (an abstract type, and no
 * `__typename` to tell), only the fragments on the abstract type itself or without a condition
 * apply: what the member types' fragments select is not collected.
 */
export function collectFields(
  context: SelectionContext,
  type: GraphQLCompositeType,
  selectionSets: SelectionSetNode | readonly (SelectionSetNode | undefined)[],
  options: CollectOptions = {},
): Map<string, FieldNode[]> {
  const fields = new Map<string, FieldNode[]>();
  const opened = new Set<string>();
  const collect = (selectionSet: SelectionSetNode): void => {
    for (const selection of selectionSet.selections) {
      if (selection.kind === Kind.FIELD) {
        if (!options.withExcludedFields && !isIncluded(context, selection)) continue;
        const key = responseKey(selection);
        const merged = fields.get(key);
        if (merged) merged.push(selection);
        else fields.set(key, [selection]);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        if (isIncluded(context, selection) && fragmentApplies(context, selection, type)) collect(selection.selectionSet);
      } else {
        const name = selection.name.value;
        if (opened.has(name) || !isIncluded(context, selection)) continue;
        opened.add(name);
        const fragment = context.fragments.get(name);
        if (fragment && fragmentApplies(context, fragment, type)) collect(fragment.selectionSet);
      }
    }
  };
  for (const selectionSet of 'kind' in selectionSets ? [selectionSets] : selectionSets) if (selectionSet) collect(selectionSet);
  return fields;
}

/** A field as written below a selection set, with the type it is selected on. */
export interface FieldInScope {
  /** The type the field is written on: the enclosing field's type, or the type condition of the fragment around it. */
  readonly type: GraphQLCompositeType;
  readonly node: FieldNode;
}

/** Options of {@link fieldsInScope}. */
export interface ScopeOptions {
  /**
   * The fragments opened so far: each named fragment is opened once per set. Pass one set through
   * a whole walk to open each fragment once in it (its fields are the same wherever it is spread).
   */
  readonly opened?: Set<string>;
  /** Told each selection set opened, the given one first, with the type it is written on. */
  readonly onSelectionSet?: (selectionSet: SelectionSetNode, type: GraphQLCompositeType) => void;
}

/**
 * Every field written in `selectionSet` of `type` and in the fragments it opens, each with the
 * type it is written on (as validation's `TypeInfo` sees it), in document order. Unlike
 * {@link collectFields} no runtime type is chosen: a fragment is opened whatever type it applies
 * to, so that what a field of an abstract type may select on any of its possible types is all
 * there. Fields are not merged. A fragment the document lacks, or whose type condition names no
 * type with fields, opens nothing.
 */
export function fieldsInScope(context: SelectionContext, type: GraphQLCompositeType, selectionSet: SelectionSetNode, options: ScopeOptions = {}): FieldInScope[] {
  const fields: FieldInScope[] = [];
  const visitor: SelectionVisitor = {
    field: (node, scope) => {
      fields.push({ type: scope, node });
      return false;
    },
    ...(options.onSelectionSet ? { selectionSet: options.onSelectionSet } : {}),
  };
  walkSelections(context, type, selectionSet, visitor, options.opened);
  return fields;
}

/** What {@link walkSelections} tells its caller of. */
export interface SelectionVisitor {
  /** A field, with the type it is written on; returning false keeps the walk out of its selection set. */
  readonly field?: (node: FieldNode, type: GraphQLCompositeType) => boolean | void;
  /** A selection set (a field's, an inline fragment's or a fragment's), with the type it is written on. */
  readonly selectionSet?: (selectionSet: SelectionSetNode, type: GraphQLCompositeType) => void;
}

/**
 * Walks `selectionSet` of `type` and everything below it as written, depth first in document
 * order: each field with the type it is written on, then its own selections on the type it
 * returns (a field the type does not have, or of an introspection type, is not walked below).
 * Fragments are opened where they are spread, whatever type they apply to (see
 * {@link fieldsInScope}); each named fragment once in the whole walk, or once per `opened` set
 * shared between walks. `@skip`/`@include` as the context reads them.
 */
export function walkSelections(context: SelectionContext, type: GraphQLCompositeType, selectionSet: SelectionSetNode, visitor: SelectionVisitor, opened: Set<string> = new Set()): void {
  const walk = (set: SelectionSetNode, scope: GraphQLCompositeType): void => {
    visitor.selectionSet?.(set, scope);
    for (const selection of set.selections) {
      if (!isIncluded(context, selection)) continue;
      if (selection.kind === Kind.FIELD) {
        if (visitor.field?.(selection, scope) === false || !selection.selectionSet) continue;
        const below = fieldCompositeType(scope, selection.name.value);
        if (below) walk(selection.selectionSet, below);
        continue;
      }
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        if (opened.has(selection.name.value)) continue;
        opened.add(selection.name.value);
      }
      const fragment = selection.kind === Kind.FRAGMENT_SPREAD ? context.fragments.get(selection.name.value) : selection;
      const condition = fragment && fragmentType(context, fragment, scope);
      if (condition) walk(fragment.selectionSet, condition);
    }
  };
  walk(selectionSet, type);
}

/**
 * Whether `@skip`/`@include` let `node` through: `@skip(if: true)` or `@include(if: false)`
 * leaves it out, a variable read from the context's variables. Without variables, everything is
 * let through (every branch).
 */
export function isIncluded(context: SelectionContext, node: FieldNode | FragmentSpreadNode | InlineFragmentNode): boolean {
  if (!context.variables) return true;
  if (getDirectiveValues(GraphQLSkipDirective, node, context.variables)?.['if'] === true) return false;
  if (getDirectiveValues(GraphQLIncludeDirective, node, context.variables)?.['if'] === false) return false;
  return true;
}

/**
 * The type a fragment's selections are written on: its type condition, or `parent` for an inline
 * fragment without one; undefined when the condition names no type that has fields (validation
 * refuses such a fragment).
 */
export function fragmentType<Parent extends GraphQLNamedType = GraphQLCompositeType>(
  context: SelectionContext,
  fragment: FragmentDefinitionNode | InlineFragmentNode,
  parent: Parent,
): Parent | GraphQLCompositeType | undefined {
  if (!fragment.typeCondition) return parent;
  const condition = context.schema.getType(fragment.typeCondition.name.value);
  return condition && isCompositeType(condition) ? condition : undefined;
}

/**
 * Whether a fragment applies to a value of `type`: it has no type condition, or its condition is
 * `type`, or an abstract type `type` is a possible type of (graphql-js's `doesFragmentConditionMatch`).
 */
export function fragmentApplies(context: SelectionContext, fragment: FragmentDefinitionNode | InlineFragmentNode, type: GraphQLCompositeType): boolean {
  if (!fragment.typeCondition) return true;
  const condition = context.schema.getType(fragment.typeCondition.name.value);
  if (condition === type) return true;
  return !!condition && isAbstractType(condition) && isObjectType(type) && context.schema.isSubType(condition, type);
}

/**
 * The runtime type of a result object whose field has `type`: `type` itself when it is an object
 * type, else the member its `__typename` names, else `type` (unknown: see {@link collectFields}).
 */
export function runtimeType(context: SelectionContext, type: GraphQLCompositeType, value: Readonly<Record<string, unknown>>): GraphQLCompositeType {
  if (isObjectType(type)) return type;
  const named = typeof value['__typename'] === 'string' ? context.schema.getType(value['__typename']) : undefined;
  return named && isObjectType(named) && context.schema.isSubType(type, named) ? named : type;
}

/** The key a field answers under: its alias, or its name. */
export function responseKey(node: FieldNode): string {
  return node.alias?.value ?? node.name.value;
}

/**
 * The composite type a field of `parent` returns, unwrapped of lists and non-null; undefined for
 * a field `parent` does not have, or one that returns a leaf. (Meta fields are not looked up.)
 */
export function fieldCompositeType(parent: GraphQLCompositeType, name: string): GraphQLCompositeType | undefined {
  if (!isObjectType(parent) && !isInterfaceType(parent)) return undefined;
  const field = parent.getFields()[name];
  const type = field && getNamedType(field.type);
  return type && isCompositeType(type) ? type : undefined;
}
