/**
 * Operation limits: what one request may ask of the graph before any agency is asked. Each limit
 * has its own error code, so that a caller who hits one knows which and by how much.
 *
 * Everything here runs before the policy has decided anything, for callers without a token too,
 * so every check costs time linear in the document's size: a fragment is measured once however
 * often it is spread, and the number of selections is bounded before GraphQL validation runs
 * (whose check that fields can merge compares fields pairwise). The checks come in two steps:
 *
 * - {@link checkDocumentShape}, on the parsed document before validation: how many selections
 *   it writes, and how often one response key repeats in a selection set;
 * - {@link enforceLimits}, on the validated operation with its variables: depth, aliases,
 *   directives, page sizes, the estimated cost, and the enterprises and field coordinates the
 *   whole operation names, counted across every field and alias that names them.
 *
 * The cost of an operation is the number of values it may return: each field costs one, times
 * the estimated length of every list above it. A list's length is its `first` argument (or that
 * argument's default), the number of codes asked for by `enterprises(uscc:)`, or
 * {@link OperationLimits.defaultListSize} for lists the caller cannot size.
 */
import {
  GraphQLError,
  Kind,
  OperationTypeNode,
  getNamedType,
  getNullableType,
  isInputObjectType,
  isInterfaceType,
  isListType,
  isNonNullType,
  isObjectType,
  isScalarType,
  valueFromAST,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  type DocumentNode,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLNamedType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import { isUscc } from '../platform/domain/uscc.js';
import { fragmentType, selectionContext } from '../platform/graphql/selection.js';

/** The limits, each configurable (see the README's configuration table). */
export interface OperationLimits {
  /** `MEG_MAX_DEPTH`: nesting of fields, counting from the root field as 1. */
  readonly maxDepth: number;
  /** `MEG_MAX_ALIASES`: aliased fields in one operation. */
  readonly maxAliases: number;
  /** `MEG_MAX_DIRECTIVES`: directives used in one operation. */
  readonly maxDirectives: number;
  /** `MEG_MAX_TOKENS`: lexical tokens of the document (enforced by the parser). */
  readonly maxTokens: number;
  /** `MEG_MAX_SELECTIONS`: fields and fragments written in the document. */
  readonly maxSelections: number;
  /** `MEG_MAX_REPEATED_FIELD`: how often one response key may be selected in one selection set. */
  readonly maxRepeatedField: number;
  /** `MEG_MAX_COST`: estimated values returned. */
  readonly maxCost: number;
  /** `MEG_MAX_PAGE_SIZE`: the largest `first` of a paged list. */
  readonly maxPageSize: number;
  /**
   * `MEG_MAX_CODES`: the most enterprises one request may name, in all its arguments together,
   * and the most it may read (named, or by searches and lists).
   */
  readonly maxCodes: number;
  /** `MEG_MAX_COORDINATES`: the most field coordinates one request may ask the policy about. */
  readonly maxCoordinates: number;
  /** The length assumed for a list without a size argument. */
  readonly defaultListSize: number;
}

export const DEFAULT_LIMITS: OperationLimits = {
  maxDepth: 15,
  maxAliases: 30,
  maxDirectives: 50,
  maxTokens: 5_000,
  maxSelections: 300,
  maxRepeatedField: 30,
  maxCost: 100_000,
  maxPageSize: 100,
  maxCodes: 1_000,
  maxCoordinates: 1_000,
  defaultListSize: 10,
};

/** The error codes of the limits. */
export const LIMIT_CODES = {
  depth: 'DEPTH_LIMIT_EXCEEDED',
  aliases: 'ALIAS_LIMIT_EXCEEDED',
  directives: 'DIRECTIVE_LIMIT_EXCEEDED',
  tokens: 'TOKEN_LIMIT_EXCEEDED',
  selections: 'SELECTION_LIMIT_EXCEEDED',
  cost: 'COST_LIMIT_EXCEEDED',
  pageSize: 'PAGE_SIZE_EXCEEDED',
  codes: 'TOO_MANY_CODES',
  enterprises: 'TOO_MANY_ENTERPRISES',
  coordinates: 'TOO_MANY_COORDINATES',
  reservedAlias: 'RESERVED_ALIAS',
  introspection: 'INTROSPECTION_NOT_ALLOWED',
} as const;

function refused(code: string, message: string, status = 400, extensions: Record<string, unknown> = {}): GraphQLError {
  return new GraphQLError(message, { extensions: { code, ...extensions, http: { status } } });
}

/**
 * Checks the document as written, before it is validated: at most
 * {@link OperationLimits.maxSelections} selections, no response key selected more than
 * {@link OperationLimits.maxRepeatedField} times in one selection set (counting through inline
 * fragments and the fragments spread there), and no alias of the gateway's reserved `__` names.
 * Throws the first limit exceeded. Costs time linear in the document once the first bound holds.
 */
export function checkDocumentShape(document: DocumentNode, limits: OperationLimits): void {
  let selections = 0;
  const count = (set: SelectionSetNode): void => {
    for (const selection of set.selections) {
      selections++;
      if (selection.kind === Kind.FIELD) {
        if (selection.alias?.value.startsWith('__')) {
          throw refused(LIMIT_CODES.reservedAlias, `the alias "${selection.alias.value}" is reserved: names beginning with __ belong to GraphQL and the gateway`);
        }
        if (selection.selectionSet) count(selection.selectionSet);
      } else if (selection.kind === Kind.INLINE_FRAGMENT) {
        count(selection.selectionSet);
      }
    }
  };
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION) fragments.set(definition.name.value, definition);
    if (definition.kind === Kind.FRAGMENT_DEFINITION || definition.kind === Kind.OPERATION_DEFINITION) count(definition.selectionSet);
    if (selections > limits.maxSelections) {
      throw refused(LIMIT_CODES.selections, `the document selects ${selections} fields and fragments or more; at most ${limits.maxSelections} are allowed`);
    }
  }

  // How often each response key is selected at the level of a set, through its inline fragments
  // and the fragments it spreads (each distinct fragment once, as validation compares them).
  const levels = new Map<string, ReadonlyMap<string, number>>();
  const levelOfFragment = (name: string, visiting: Set<string>): ReadonlyMap<string, number> => {
    const known = levels.get(name);
    if (known) return known;
    const fragment = fragments.get(name);
    if (!fragment || visiting.has(name)) return new Map(); // unknown or cyclic: validation refuses it
    visiting.add(name);
    const level = levelOf(fragment.selectionSet, visiting);
    visiting.delete(name);
    levels.set(name, level);
    return level;
  };
  const levelOf = (set: SelectionSetNode, visiting: Set<string>): Map<string, number> => {
    const keys = new Map<string, number>();
    const spread = new Set<string>();
    const add = (inner: SelectionSetNode): void => {
      for (const selection of inner.selections) {
        if (selection.kind === Kind.FIELD) {
          const key = selection.alias?.value ?? selection.name.value;
          keys.set(key, (keys.get(key) ?? 0) + 1);
        } else if (selection.kind === Kind.INLINE_FRAGMENT) {
          add(selection.selectionSet);
        } else {
          spread.add(selection.name.value);
        }
      }
    };
    add(set);
    for (const name of spread) for (const [key, n] of levelOfFragment(name, visiting)) keys.set(key, (keys.get(key) ?? 0) + n);
    return keys;
  };
  const check = (set: SelectionSetNode): void => {
    for (const [key, n] of levelOf(set, new Set())) {
      if (n > limits.maxRepeatedField) {
        throw refused(LIMIT_CODES.selections, `"${key}" is selected ${n} times in one selection set; at most ${limits.maxRepeatedField} are allowed`);
      }
    }
    for (const selection of set.selections) {
      if (selection.kind === Kind.FIELD && selection.selectionSet) check(selection.selectionSet);
      else if (selection.kind === Kind.INLINE_FRAGMENT) check(selection.selectionSet);
    }
  };
  for (const definition of document.definitions) {
    if (definition.kind === Kind.FRAGMENT_DEFINITION || definition.kind === Kind.OPERATION_DEFINITION) check(definition.selectionSet);
  }
}

/** What {@link enforceLimits} found. */
export interface OperationMeasure {
  readonly depth: number;
  readonly aliases: number;
  readonly directives: number;
  readonly cost: number;
  readonly introspection: boolean;
  /** Enterprises named in the operation's arguments, wherever they are (valid codes, each once). */
  readonly codes: ReadonlySet<string>;
  /** Enterprises the operation may read: named, or in the lists it asks for, times the lists above them. */
  readonly enterprises: number;
  /** Field coordinates the operation asks the policy about, counted across its fields. */
  readonly coordinates: number;
}

/** Arguments that name field coordinates for the policy to decide, by `Type.field.argument`. */
const COORDINATE_ARGUMENTS = new Set(['Query.policyMatrix.coordinates', 'Query.explainAccess.coordinate']);

/** Options of {@link enforceLimits} beyond the limits. */
export interface EnforceOptions {
  /** How many coordinates an argument of {@link COORDINATE_ARGUMENTS} stands for when left out (all of the catalogue). */
  readonly catalogueSize: number;
}

/** What a fragment adds wherever it is spread, measured once (with the list size above it taken as 1). */
interface Tally {
  cost: number;
  /** Deepest field below the spread, counting the fragment's own fields as 1. */
  depth: number;
  aliases: number;
  directives: number;
  codes: number;
  coordinates: number;
  /** Entities of {@link ENTITY_TYPES} the selection may return. */
  enterprises: number;
}

/** The types whose values are enterprises: a request may read at most {@link OperationLimits.maxCodes} of them. */
const ENTITY_TYPES = new Set(['Enterprise']);

/**
 * Checks one validated operation against the limits, with its variables; throws the first limit
 * it exceeds, as a GraphQLError with its code and HTTP status 400. Returns what it measured.
 * Each fragment is measured once per context it is spread in (under a connection or not, inside
 * introspection or not), so the time is linear in the document whatever its spreads multiply.
 */
export function enforceLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  limits: OperationLimits,
  options: EnforceOptions = { catalogueSize: 0 },
): OperationMeasure {
  // Every branch: a limit bounds what the operation may ask, so both sides of each @skip/@include
  // count, and a fragment counts at each of its spreads (an estimate above what execution merges).
  const context = selectionContext(schema, document);
  const vars = variables ?? {};
  const named = new Set<string>();
  let introspection = false;
  const memo = new Map<string, Tally>();

  const argument = (field: GraphQLField<unknown, unknown>, node: FieldNode, name: string): unknown => {
    const def = field.args.find((a) => a.name === name);
    if (!def) return undefined;
    // Stryker disable next-line OptionalChaining: equivalent, graphql-js's parser gives every field an arguments list (empty when it has none)
    const ast = node.arguments?.find((a) => a.name.value === name);
    if (!ast) return def.defaultValue;
    return valueFromAST(ast.value, def.type, vars);
  };

  /** Codes and coordinates a field's arguments name, each value checked for what no field accepts. */
  const argumentsOf = (parent: GraphQLNamedType, field: GraphQLField<unknown, unknown>, node: FieldNode): { codes: number; coordinates: number } => {
    let codes = 0;
    let coordinates = 0;
    for (const def of field.args) {
      const value = argument(field, node, def.name);
      const where = `${node.name.value}(${def.name}:)`;
      codes += inputValues(value, def.type, where, def.name, named);
      if (COORDINATE_ARGUMENTS.has(`${parent.name}.${field.name}.${def.name}`)) {
        coordinates += Array.isArray(value) ? value.length : value == null ? options.catalogueSize : 1;
      }
    }
    return { codes, coordinates };
  };

  /** Measures a selection set with the list size above it taken as 1; `depth` is the depth of the set's parent field. */
  const measure = (set: SelectionSetNode, parent: GraphQLNamedType, depth: number, inIntrospection: boolean, pageSized: boolean, tally: Tally, multiplier: number): void => {
    for (const selection of set.selections) {
      // Stryker disable next-line OptionalChaining: equivalent, graphql-js's parser gives every selection a directives list (empty when it has none)
      tally.directives += selection.directives?.length ?? 0;
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = context.fragments.get(selection.name.value);
        if (!fragment) continue; // validation has refused unknown fragments
        const type = fragmentType(context, fragment, parent) ?? parent;
        const inner = fragmentTally(fragment, type, inIntrospection, pageSized);
        addTally(tally, inner, multiplier, depth);
        checkRunning(tally);
        continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = fragmentType(context, selection, parent) ?? parent;
        measure(selection.selectionSet, type, depth, inIntrospection, pageSized, tally, multiplier);
        continue;
      }
      const name = selection.name.value;
      if (selection.alias) tally.aliases++;
      if (name === '__schema' || name === '__type') introspection = true;
      const fieldDepth = depth + 1;
      if (fieldDepth > tally.depth) tally.depth = fieldDepth;
      tally.cost += multiplier;
      const field = name === '__schema' ? SchemaMetaFieldDef : name === '__type' ? TypeMetaFieldDef : isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
      if (!field) continue; // __typename, or a field validation has refused
      const args = argumentsOf(parent, field, selection);
      tally.codes += args.codes * multiplier;
      // Stryker disable next-line ArithmeticOperator: equivalent, only fields of Query name coordinates, and Query is only ever the root (no field returns it), where the multiplier is 1
      tally.coordinates += args.coordinates * multiplier;
      checkRunning(tally);
      if (!selection.selectionSet) continue;
      // A list is as long as its `first` (a connection's page too) or the codes it names.
      const first = argument(field, selection, 'first');
      const codes = argument(field, selection, 'uscc');
      if (typeof first === 'number' && first > limits.maxPageSize) {
        throw refused(LIMIT_CODES.pageSize, `"${name}" asks for first: ${first}; a page holds at most ${limits.maxPageSize}`);
      }
      // What introspection returns is sized by the schema, not by the caller; depth bounds its cycles.
      const introspecting = inIntrospection || name === '__schema' || name === '__type';
      const isList = isListType(getNullableType(field.type));
      let size = 1;
      if (introspecting) size = 1;
      else if (typeof first === 'number') size = Math.max(first, 0);
      else if (Array.isArray(codes)) size = codes.length;
      // The edges of a connection are its page, already counted by the connection's `first`.
      else if (isList && !(pageSized && (name === 'edges' || name === 'nodes'))) size = limits.defaultListSize;
      const connection = typeof first === 'number' && !isList;
      // An enterprise read by a search is read as surely as one named: both count.
      if (ENTITY_TYPES.has(getNamedType(field.type).name)) tally.enterprises += multiplier * (isList ? size : 1);
      measure(selection.selectionSet, getNamedType(field.type), fieldDepth, introspecting, connection, tally, multiplier * size);
      checkRunning(tally);
    }
  };

  /** A fragment's tally in this context, measured the first time it is spread there. */
  const fragmentTally = (fragment: FragmentDefinitionNode, type: GraphQLNamedType, inIntrospection: boolean, pageSized: boolean): Tally => {
    const key = `${fragment.name.value}\u0000${inIntrospection}\u0000${pageSized}`;
    const known = memo.get(key);
    if (known) return known;
    // A cycle has been refused by validation; measured as empty, it cannot loop here either.
    memo.set(key, emptyTally());
    const tally = emptyTally();
    // Stryker disable next-line OptionalChaining: equivalent, graphql-js's parser gives every fragment a directives list (empty when it has none)
    tally.directives += fragment.directives?.length ?? 0;
    measure(fragment.selectionSet, type, 0, inIntrospection, pageSized, tally, 1);
    memo.set(key, tally);
    return tally;
  };

  /** Refuses as soon as a running total passes its limit. */
  const checkRunning = (tally: Tally): void => {
    if (tally.depth > limits.maxDepth) {
      throw refused(LIMIT_CODES.depth, `the operation nests fields ${tally.depth} deep; at most ${limits.maxDepth} is allowed`);
    }
    if (tally.codes > limits.maxCodes) {
      throw refused(LIMIT_CODES.codes, `the operation names ${formatCount(tally.codes)} enterprises or more across its fields; at most ${limits.maxCodes} per request`);
    }
    if (tally.enterprises > limits.maxCodes) {
      throw refused(LIMIT_CODES.enterprises, `the operation may read ${formatCount(tally.enterprises)} enterprises or more across its fields; at most ${limits.maxCodes} per request`);
    }
    if (tally.coordinates > limits.maxCoordinates) {
      throw refused(LIMIT_CODES.coordinates, `the operation asks about ${formatCount(tally.coordinates)} field coordinates or more across its fields; at most ${limits.maxCoordinates} per request`);
    }
    if (tally.cost > limits.maxCost) {
      throw refused(LIMIT_CODES.cost, `the operation may return about ${formatCount(tally.cost)} values or more; at most ${limits.maxCost} are allowed (ask for fewer fields, enterprises or pages)`);
    }
  };

  const root = operation.operation === OperationTypeNode.QUERY ? schema.getQueryType() : operation.operation === OperationTypeNode.MUTATION ? schema.getMutationType() : schema.getSubscriptionType();
  if (!root) throw refused('BAD_REQUEST', `the graph has no ${operation.operation} operations`);
  const total = emptyTally();
  // Stryker disable next-line OptionalChaining: equivalent, graphql-js's parser gives every operation a directives list (empty when it has none)
  total.directives += operation.directives?.length ?? 0;
  measure(operation.selectionSet, root, 0, false, false, total, 1);
  checkRunning(total);
  if (total.aliases > limits.maxAliases) {
    throw refused(LIMIT_CODES.aliases, `the operation uses ${formatCount(total.aliases)} aliases; at most ${limits.maxAliases} are allowed`);
  }
  if (total.directives > limits.maxDirectives) {
    throw refused(LIMIT_CODES.directives, `the operation uses ${formatCount(total.directives)} directives; at most ${limits.maxDirectives} are allowed`);
  }
  return { depth: total.depth, aliases: total.aliases, directives: total.directives, cost: total.cost, introspection, codes: named, coordinates: total.coordinates, enterprises: total.enterprises };
}

/** The refusal of introspection to a caller who is not allowed it. */
export function introspectionRefused(): GraphQLError {
  return refused(LIMIT_CODES.introspection, 'introspection is open to agency officers only', 403);
}

function emptyTally(): Tally {
  return { cost: 0, depth: 0, aliases: 0, directives: 0, codes: 0, coordinates: 0, enterprises: 0 };
}

/** Adds a fragment's tally where it is spread, under lists of `multiplier` values at depth `depth`. */
function addTally(into: Tally, fragment: Tally, multiplier: number, depth: number): void {
  into.cost += fragment.cost * multiplier;
  into.codes += fragment.codes * multiplier;
  // Stryker disable next-line ArithmeticOperator: equivalent, only fragments on Query name coordinates, and they are spread only at the root, where the multiplier is 1
  into.coordinates += fragment.coordinates * multiplier;
  into.enterprises += fragment.enterprises * multiplier;
  into.aliases += fragment.aliases;
  into.directives += fragment.directives;
  if (fragment.depth > 0 && depth + fragment.depth > into.depth) into.depth = depth + fragment.depth;
}

/**
 * Walks an argument's value by its input type: counts the unified social credit codes in it
 * (adding the valid ones to `named`), and refuses a string no field of this graph accepts (a NUL
 * character, which PostgreSQL cannot store), naming the argument. Returns the number of codes.
 */
function inputValues(value: unknown, type: GraphQLInputType, where: string, path: string, named: Set<string>): number {
  if (value === null || value === undefined) return 0;
  const nullable = isNonNullType(type) ? type.ofType : type;
  if (isListType(nullable)) {
    if (!Array.isArray(value)) return inputValues(value, nullable.ofType, where, path, named); // a single value where a list is expected
    let n = 0;
    value.forEach((item, i) => (n += inputValues(item, nullable.ofType, where, `${path}[${i}]`, named)));
    return n;
  }
  if (isInputObjectType(nullable)) {
    if (typeof value !== 'object') return 0;
    let n = 0;
    for (const [name, field] of Object.entries(nullable.getFields())) n += inputValues((value as Record<string, unknown>)[name], field.type, where, `${path}.${name}`, named);
    return n;
  }
  if (typeof value === 'string' && value.includes('\u0000')) {
    throw new GraphQLError(`the argument ${path} of ${where} contains a NUL character, which no field of this graph accepts`, {
      extensions: { code: 'BAD_USER_INPUT', argument: path, http: { status: 400 } },
    });
  }
  if (isScalarType(nullable) && nullable.name === 'USCC') {
    if (typeof value === 'string' && isUscc(value)) named.add(value);
    return 1;
  }
  return 0;
}

/**
 * Adds to `into` the valid unified social credit codes in an argument's value, walked by its input
 * type (lists, input objects, a single value where a list is expected).
 */
export function collectCodes(value: unknown, type: GraphQLInputType, into: Set<string>): void {
  if (value === null || value === undefined) return;
  const nullable = isNonNullType(type) ? type.ofType : type;
  if (isListType(nullable)) {
    for (const item of Array.isArray(value) ? value : [value]) collectCodes(item, nullable.ofType, into);
  } else if (isInputObjectType(nullable)) {
    if (typeof value === 'object') for (const [name, field] of Object.entries(nullable.getFields())) collectCodes((value as Record<string, unknown>)[name], field.type, into);
  } else if (isScalarType(nullable) && nullable.name === 'USCC' && typeof value === 'string' && isUscc(value)) {
    into.add(value);
  }
}

function formatCount(n: number): string {
  return Number.isFinite(n) && n < 1e15 ? String(n) : 'more than 10^15';
}
