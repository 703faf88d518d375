/**
 * Operation limits: what one request may ask of the graph before any agency is asked. Each limit
 * has its own error code, so that a caller who hits one knows which and by how much. They are
 * checked on the resolved operation (after GraphQL validation, with the request's variables), so
 * fragments and variables cannot hide depth, size or cost.
 *
 * The cost of an operation is the number of values it may return: each field costs one, times
 * the estimated length of every list above it. A list's length is its `first` argument (or that
 * argument's default), the number of codes asked for by `enterprises(uscc:)`, or
 * {@link OperationLimits.defaultListSize} for lists the caller cannot size.
 */
import {
  GraphQLError,
  Kind,
  getNamedType,
  getNullableType,
  isListType,
  isObjectType,
  isInterfaceType,
  valueFromAST,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  type FieldNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
  type GraphQLNamedType,
  type DocumentNode,
} from 'graphql';

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
  /** `MEG_MAX_COST`: estimated values returned. */
  readonly maxCost: number;
  /** `MEG_MAX_PAGE_SIZE`: the largest `first` of a paged list. */
  readonly maxPageSize: number;
  /** `MEG_MAX_CODES`: the most enterprises one request may name in a list argument. */
  readonly maxCodes: number;
  /** The length assumed for a list without a size argument. */
  readonly defaultListSize: number;
}

export const DEFAULT_LIMITS: OperationLimits = {
  maxDepth: 15,
  maxAliases: 30,
  maxDirectives: 50,
  maxTokens: 5_000,
  maxCost: 100_000,
  maxPageSize: 100,
  maxCodes: 1_000,
  defaultListSize: 10,
};

/** The error codes of the limits. */
export const LIMIT_CODES = {
  depth: 'DEPTH_LIMIT_EXCEEDED',
  aliases: 'ALIAS_LIMIT_EXCEEDED',
  directives: 'DIRECTIVE_LIMIT_EXCEEDED',
  tokens: 'TOKEN_LIMIT_EXCEEDED',
  cost: 'COST_LIMIT_EXCEEDED',
  pageSize: 'PAGE_SIZE_EXCEEDED',
  codes: 'TOO_MANY_CODES',
  introspection: 'INTROSPECTION_NOT_ALLOWED',
} as const;

function refused(code: string, message: string, status = 400): GraphQLError {
  return new GraphQLError(message, { extensions: { code, http: { status } } });
}

/** What {@link measureOperation} found. */
export interface OperationMeasure {
  readonly depth: number;
  readonly aliases: number;
  readonly directives: number;
  readonly cost: number;
  readonly introspection: boolean;
}

/**
 * Checks one resolved operation against the limits; throws the first limit it exceeds, as a
 * GraphQLError with its code and HTTP status 400. Returns what it measured.
 */
export function enforceLimits(
  schema: GraphQLSchema,
  document: DocumentNode,
  operation: OperationDefinitionNode,
  variables: Record<string, unknown> | undefined,
  limits: OperationLimits,
): OperationMeasure {
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  let aliases = 0;
  let directives = operation.directives?.length ?? 0;
  let maxDepth = 0;
  let introspection = false;
  const vars = variables ?? {};

  const argument = (field: GraphQLField<unknown, unknown>, node: FieldNode, name: string): unknown => {
    const def = field.args.find((a) => a.name === name);
    if (!def) return undefined;
    const ast = node.arguments?.find((a) => a.name.value === name);
    if (!ast) return def.defaultValue;
    return valueFromAST(ast.value, def.type, vars);
  };

  /** Estimated values under a selection set, each counted `multiplier` times; checks as it goes. */
  const walk = (
    set: SelectionSetNode,
    parent: GraphQLNamedType,
    depth: number,
    multiplier: number,
    visiting: Set<string>,
    inIntrospection: boolean,
    pageSized: boolean,
  ): number => {
    let cost = 0;
    for (const selection of set.selections) {
      directives += selection.directives?.length ?? 0;
      if (selection.kind === Kind.FRAGMENT_SPREAD) {
        const fragment = fragments.get(selection.name.value);
        if (!fragment || visiting.has(fragment.name.value)) continue;
        directives += fragment.directives?.length ?? 0;
        const type = schema.getType(fragment.typeCondition.name.value) ?? parent;
        visiting.add(fragment.name.value);
        cost += walk(fragment.selectionSet, type, depth, multiplier, visiting, inIntrospection, pageSized);
        visiting.delete(fragment.name.value);
        continue;
      }
      if (selection.kind === Kind.INLINE_FRAGMENT) {
        const type = selection.typeCondition ? (schema.getType(selection.typeCondition.name.value) ?? parent) : parent;
        cost += walk(selection.selectionSet, type, depth, multiplier, visiting, inIntrospection, pageSized);
        continue;
      }
      const name = selection.name.value;
      if (selection.alias) aliases++;
      if (name === '__schema' || name === '__type') introspection = true;
      const fieldDepth = depth + 1;
      if (fieldDepth > maxDepth) maxDepth = fieldDepth;
      if (fieldDepth > limits.maxDepth) {
        throw refused(LIMIT_CODES.depth, `the operation nests fields ${fieldDepth} deep at "${name}"; at most ${limits.maxDepth} is allowed`);
      }
      cost += multiplier;
      if (!selection.selectionSet) continue;
      const field =
        name === '__schema' ? SchemaMetaFieldDef : name === '__type' ? TypeMetaFieldDef : isObjectType(parent) || isInterfaceType(parent) ? parent.getFields()[name] : undefined;
      if (!field) continue; // validation has already refused unknown fields
      // A list is as long as its `first` (a connection's page too) or the codes it names.
      const first = argument(field, selection, 'first');
      const codes = argument(field, selection, 'uscc');
      if (typeof first === 'number' && first > limits.maxPageSize) {
        throw refused(LIMIT_CODES.pageSize, `"${name}" asks for first: ${first}; a page holds at most ${limits.maxPageSize}`);
      }
      if (Array.isArray(codes) && codes.length > limits.maxCodes) {
        throw refused(LIMIT_CODES.codes, `"${name}" names ${codes.length} enterprises; at most ${limits.maxCodes} per request`);
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
      cost += walk(selection.selectionSet, getNamedType(field.type), fieldDepth, multiplier * size, visiting, introspecting, connection);
      if (cost > limits.maxCost) {
        throw refused(LIMIT_CODES.cost, `the operation may return about ${cost} values or more; at most ${limits.maxCost} are allowed (ask for fewer fields, enterprises or pages)`);
      }
    }
    return cost;
  };

  const root = operation.operation === 'query' ? schema.getQueryType() : operation.operation === 'mutation' ? schema.getMutationType() : schema.getSubscriptionType();
  if (!root) throw refused('BAD_REQUEST', `the graph has no ${operation.operation} operations`);
  const cost = walk(operation.selectionSet, root, 0, 1, new Set(), false, false);
  if (aliases > limits.maxAliases) {
    throw refused(LIMIT_CODES.aliases, `the operation uses ${aliases} aliases; at most ${limits.maxAliases} are allowed`);
  }
  if (directives > limits.maxDirectives) {
    throw refused(LIMIT_CODES.directives, `the operation uses ${directives} directives; at most ${limits.maxDirectives} are allowed`);
  }
  if (cost > limits.maxCost) {
    throw refused(LIMIT_CODES.cost, `the operation may return about ${cost} values; at most ${limits.maxCost} are allowed (ask for fewer fields, enterprises or pages)`);
  }
  return { depth: maxDepth, aliases, directives, cost, introspection };
}

/** The refusal of introspection to a caller who is not allowed it. */
export function introspectionRefused(): GraphQLError {
  return refused(LIMIT_CODES.introspection, 'introspection is open to agency officers only', 403);
}
