/**
 * A fuzzer for the gateway: operations built at random from the supergraph's API schema (valid
 * ones, mutations of valid ones, and invalid ones from scratch), sent over HTTP as every kind of
 * caller, each answer judged by an oracle of its own: what the policy's Rego source decides for
 * that caller (`opa eval`, policyOracle.ts, not the gateway's compiled wasm), each mask's exact
 * form, and the fields the answer's data holds (not the gateway's reading of the operation).
 * What must hold: never a 5xx, never a crash, never a value of a field the policy denies the
 * caller, never a value not in its mask's form where it masks.
 *
 * Every case is built from a seed of its own, so a failure is reproduced with {@link buildCase}.
 * Used by test/hardening/fuzz.test.ts and by scripts: nothing here depends on the test runner.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { Agent, request } from 'undici';
import {
  Kind,
  OperationTypeNode,
  SchemaMetaFieldDef,
  TypeMetaFieldDef,
  buildSchema,
  getNamedType,
  isAbstractType,
  isEnumType,
  isInputObjectType,
  isIntrospectionType,
  isLeafType,
  isListType,
  isNonNullType,
  isObjectType,
  parse,
  type DocumentNode,
  type FragmentDefinitionNode,
  type GraphQLField,
  type GraphQLInputType,
  type GraphQLObjectType,
  type GraphQLSchema,
  type OperationDefinitionNode,
  type SelectionSetNode,
} from 'graphql';
import type * as graphqlModule from 'graphql';
import { createApolloGateway } from '../../gateway/apolloGateway.js';
import { PUBLIC_PRINCIPAL } from '../../gateway/auth/authenticate.js';
import { AccessPolicy, type FieldDecision, type Principal } from '../../gateway/policy/accessPolicy.js';
import { projectRoot } from '../../platform/config/projectRoot.js';
import { hash32, Random } from '../../platform/domain/synthetic/random.js';
import { CALLERS, headersFor, type Caller } from './callers.js';
import { regoDecisions, readCatalogue, type RegoDecision } from './policyOracle.js';
import { leaks, secretsFor, type RawValues, type Secrets } from './rawValues.js';

// ---------------------------------------------------------------------------------------------
// The schema and the policy, as the gateway has them
// ---------------------------------------------------------------------------------------------

/**
 * The API schema the gateway serves: the supergraph without its federation machinery.
 *
 * The gateway is CommonJS and builds the schema with graphql's CommonJS build, while a test
 * runner may resolve `graphql` here to its ESM build, whose type checks reject the other's
 * objects; the schema crosses over as SDL.
 */
export async function loadApiSchema(supergraphFile = path.join(projectRoot, 'gateway/generated/supergraph.graphql')): Promise<GraphQLSchema> {
  const gateway = createApolloGateway({ supergraphSdl: readFileSync(supergraphFile, 'utf8') });
  try {
    const { schema } = await gateway.load();
    const gatewayGraphql = createRequire(import.meta.url)('graphql') as typeof graphqlModule;
    return buildSchema(gatewayGraphql.printSchema(schema));
  } finally {
    await gateway.stop();
  }
}

/** The compiled access policy the gateway runs (the build's, unless the files are named). */
export function loadAccessPolicy(
  wasmFile = path.join(projectRoot, 'gateway/generated/policy.wasm'),
  catalogueFile = path.join(projectRoot, 'gateway/generated/catalogue.json'),
): Promise<AccessPolicy> {
  return AccessPolicy.load(wasmFile, catalogueFile);
}

/** The principal the gateway establishes for a caller (authenticate.ts, from the token's claims). */
export function principalOf(caller: Caller): Principal {
  if (!caller.claims) return PUBLIC_PRINCIPAL;
  const { sub, agency, roles, purposes, region } = caller.claims;
  return { sub, agency, roles, purposes, region: region ?? null, public: false };
}

/** Every field coordinate (`Type.field`) of the schema's object types. */
export function schemaCoordinates(schema: GraphQLSchema): string[] {
  return Object.values(schema.getTypeMap())
    .filter((type): type is GraphQLObjectType => isObjectType(type) && !isIntrospectionType(type))
    .flatMap((type) => Object.keys(type.getFields()).map((field) => `${type.name}.${field}`));
}

/** What the gateway's compiled policy decides for `caller` on every field of the schema (compared with the oracle's in the tests). */
export function decisionsFor(schema: GraphQLSchema, policy: AccessPolicy, caller: Caller): ReadonlyMap<string, FieldDecision> {
  return policy.decide(principalOf(caller), caller.purpose, schemaCoordinates(schema));
}

/** What the Rego source decides for each caller on every field of the schema, by caller name (the oracle's decisions). */
export function oracleDecisions(schema: GraphQLSchema, callers: readonly Caller[]): Map<string, ReadonlyMap<string, RegoDecision>> {
  return regoDecisions(callers, schemaCoordinates(schema));
}

/** The catalogue's entries, as far as the generator reads them. */
export type CatalogueMasks = Readonly<Record<string, { readonly mask: string | null }>>;

/**
 * The coordinates the generator reaches for more often than chance would: those with a mask.
 * They sit deep in the graph (an employee's ID number is six fields down), and are where a
 * value shown by mistake is a person's data.
 */
export function maskedCoordinates(catalogue: CatalogueMasks): ReadonlySet<string> {
  return new Set(
    Object.entries(catalogue)
      .filter(([, entry]) => entry.mask !== null)
      .map(([coordinate]) => coordinate),
  );
}

/**
 * The coordinates the generator reaches for as a caller with these decisions: those the policy
 * masks for it and that it can reach (all those with a mask, for a caller who reaches none
 * masked), and the opaque values the graph hands out (page cursors), which are made from rows'
 * values and so could carry the very values the masks hide.
 */
export function focusCoordinates(schema: GraphQLSchema, catalogue: CatalogueMasks, decisions: ReadonlyMap<string, Decision>): ReadonlySet<string> {
  const masked = reachableMasked(schema, decisions);
  const opaque = Object.keys(catalogue).filter((c) => /\.(cursor|endCursor)$/.test(c));
  return new Set([...(masked.length > 0 ? masked : maskedCoordinates(catalogue)), ...opaque]);
}

/** A decision, from the oracle or from the gateway's policy. */
export type Decision = RegoDecision | FieldDecision;

// ---------------------------------------------------------------------------------------------
// Cases
// ---------------------------------------------------------------------------------------------

/** How a case was made. */
export type CaseKind = 'valid' | 'mutated' | 'invalid';

/** One request of the fuzz. */
export interface FuzzRequest {
  /** The operation text (the body's `query`). */
  readonly text: string;
  readonly variables?: unknown;
  readonly operationName?: unknown;
  /** The exact bytes to send, when the body is not `{ query, variables, operationName }` as JSON. */
  readonly rawBody?: Buffer;
}

const NO_FOCUS: ReadonlySet<string> = new Set();

/** A case: its seed (enough to build it again), how it was made and what is sent. */
export interface FuzzCase {
  readonly seed: number;
  readonly kind: CaseKind;
  readonly request: FuzzRequest;
}

/**
 * Builds the case of a seed: about 60% valid, 25% mutated valid, 15% invalid from scratch. The
 * same seed, schema, codes and focus always give the same case.
 */
export function buildCase(schema: GraphQLSchema, codes: readonly string[], seed: number, focus: ReadonlySet<string> = NO_FOCUS): FuzzCase {
  const rng = new Random(seed);
  const kind = rng.weighted<CaseKind>([
    ['valid', 60],
    ['mutated', 25],
    ['invalid', 15],
  ]);
  const request =
    kind === 'valid' ? generateOperation(schema, rng, codes, focus) : kind === 'mutated' ? mutateOperation(generateOperation(schema, rng, codes, focus), rng) : generateInvalidOperation(schema, rng);
  return { seed, kind, request };
}

/** The bytes POSTed for a request. */
export function bodyOf(request: FuzzRequest): Buffer {
  return request.rawBody ?? Buffer.from(JSON.stringify({ query: request.text, variables: request.variables, operationName: request.operationName }));
}

// ---------------------------------------------------------------------------------------------
// Valid operations
// ---------------------------------------------------------------------------------------------

/** An operation under construction: what its selections add to the whole document. */
interface Draft {
  readonly schema: GraphQLSchema;
  readonly rng: Random;
  readonly codes: readonly string[];
  readonly variableDefinitions: string[];
  readonly variables: Record<string, unknown>;
  readonly fragments: string[];
  /** Names of the schema, for strings that sometimes mean something (`__type(name:)`, coordinates). */
  readonly names: readonly string[];
  /** Coordinates to reach more often (see {@link maskedCoordinates}). */
  readonly focus: ReadonlySet<string>;
  aliases: number;
  /** Counter for variable and fragment names. */
  serial: number;
}

/** Aliases stay under the gateway's limit of 30, so that most generated operations pass. */
const MAX_GENERATED_ALIASES = 20;

/**
 * A random valid query: one to three root fields (introspection sometimes), arguments filled by
 * their types (codes of the universe, sometimes an invalid one; page sizes around and beyond the
 * limits), as literals or variables, random subsets of fields down to a random depth, with
 * aliases, inline and named fragments, `@include`/`@skip` and `__typename` here and there.
 * Seven times in ten a selection set includes a field on the way to a coordinate of `focus`.
 */
export function generateOperation(schema: GraphQLSchema, rng: Random, codes: readonly string[], focus: ReadonlySet<string> = NO_FOCUS): FuzzRequest {
  const query = schema.getQueryType();
  if (!query) throw new Error('the schema has no Query type');
  const draft: Draft = { schema, rng, codes, variableDefinitions: [], variables: {}, fragments: [], names: schemaNames(schema), focus, aliases: 0, serial: 0 };
  const maxDepth = rng.int(2, 6);
  const roots = Object.values(query.getFields()).filter((f) => !f.name.startsWith('_'));
  const selections = chooseFields(draft, query, roots, rng.int(1, 3), 1, maxDepth).map((f) => fieldSelection(draft, f, 1, maxDepth));
  if (rng.chance(0.08)) selections.push(fieldSelection(draft, rng.pick([SchemaMetaFieldDef, TypeMetaFieldDef]), 1, maxDepth));
  const body = `{ ${grouped(draft, query, selections).join(' ')} }`;
  const name = rng.chance(0.5) ? `Fuzz${rng.int(0, 999)}` : '';
  const head = draft.variableDefinitions.length > 0 ? `query ${name}(${draft.variableDefinitions.join(', ')}) ` : name ? `query ${name} ` : rng.pick(['', 'query ']);
  const text = [`${head}${body}`, ...draft.fragments].join('\n');
  return { text, variables: draft.variables, ...(name && rng.chance(0.5) ? { operationName: name } : {}) };
}

type Field = GraphQLField<unknown, unknown>;

function fieldSelection(draft: Draft, field: Field, depth: number, maxDepth: number): string {
  const { rng } = draft;
  const alias = draft.aliases < MAX_GENERATED_ALIASES && rng.chance(0.1) ? `a${draft.aliases++}: ` : '';
  const args = field.args.filter((a) => isNonNullType(a.type) || rng.chance(0.5)).map((a) => `${a.name}: ${argumentValue(draft, a.name, a.type)}`);
  const directive = rng.chance(0.15) ? ` ${conditionDirective(draft)}` : '';
  const type = getNamedType(field.type);
  const selectionSet = isObjectType(type) ? ` ${selectionSetOf(draft, type, depth + 1, maxDepth)}` : '';
  return `${alias}${field.name}${args.length > 0 ? `(${args.join(', ')})` : ''}${directive}${selectionSet}`;
}

function selectionSetOf(draft: Draft, type: GraphQLObjectType, depth: number, maxDepth: number): string {
  const { rng } = draft;
  const fields = Object.values(type.getFields());
  // At the depth chosen for this operation, only leaves (or __typename) end the branch.
  const pool = depth >= maxDepth ? fields.filter((f) => isLeafType(getNamedType(f.type))) : fields;
  const selections = chooseFields(draft, type, pool, rng.int(1, 4), depth, maxDepth).map((f) => fieldSelection(draft, f, depth, maxDepth));
  if (selections.length === 0 || rng.chance(0.1)) selections.push('__typename');
  return `{ ${grouped(draft, type, selections).join(' ')} }`;
}

/** `count` fields of the pool, one of them (seven times in ten) on the way to a focus coordinate within the depth left. */
function chooseFields(draft: Draft, type: GraphQLObjectType, pool: readonly Field[], count: number, depth: number, maxDepth: number): Field[] {
  const towardsFocus = pool.filter((f) => reachesFocus(draft, type, f, maxDepth - depth));
  if (towardsFocus.length === 0 || !draft.rng.chance(0.7)) return sample(draft.rng, pool, count);
  const first = draft.rng.pick(towardsFocus);
  return [
    first,
    ...sample(
      draft.rng,
      pool.filter((f) => f !== first),
      count - 1,
    ),
  ];
}

/** Whether a focus coordinate is at most `levels` fields below `type.field` (or is it). */
function reachesFocus(draft: Draft, type: GraphQLObjectType, field: Field, levels: number): boolean {
  return (focusDistances(draft.schema, draft.focus).get(`${type.name}.${field.name}`) ?? Infinity) <= levels;
}

const distancesOfFocus = new WeakMap<ReadonlySet<string>, Map<string, number>>();

/** For each coordinate, how many fields down the nearest focus coordinate is (0: it is one). */
function focusDistances(schema: GraphQLSchema, focus: ReadonlySet<string>): Map<string, number> {
  let distances = distancesOfFocus.get(focus);
  if (distances) return distances;
  const fields = Object.values(schema.getTypeMap())
    .filter((type): type is GraphQLObjectType => isObjectType(type) && !isIntrospectionType(type))
    .flatMap((type) => Object.values(type.getFields()).map((field) => ({ coordinate: `${type.name}.${field.name}`, next: getNamedType(field.type) })));
  distances = new Map([...focus].map((c) => [c, 0]));
  // Relaxed until nothing changes: the type graph may have cycles.
  for (let changed = true; changed;) {
    changed = false;
    for (const { coordinate, next } of fields) {
      if (!isObjectType(next)) continue;
      const below = Math.min(...Object.keys(next.getFields()).map((f) => distances.get(`${next.name}.${f}`) ?? Infinity));
      if (below + 1 < (distances.get(coordinate) ?? Infinity)) {
        distances.set(coordinate, below + 1);
        changed = true;
      }
    }
  }
  distancesOfFocus.set(focus, distances);
  return distances;
}

/** Sometimes moves a run of selections into an inline fragment or a named one. */
function grouped(draft: Draft, type: GraphQLObjectType, selections: string[]): string[] {
  const { rng } = draft;
  if (selections.length === 0 || !rng.chance(0.2)) return selections;
  const from = rng.int(0, selections.length - 1);
  const to = rng.int(from + 1, selections.length);
  const inner = selections.slice(from, to).join(' ');
  let fragment: string;
  if (rng.chance(0.5)) {
    const name = `F${draft.serial++}`;
    draft.fragments.push(`fragment ${name} on ${type.name} { ${inner} }`);
    fragment = `...${name}`;
  } else {
    const condition = rng.pick([`on ${type.name} `, '']);
    const directive = rng.chance(0.3) ? `${conditionDirective(draft)} ` : '';
    fragment = `... ${condition}${directive}{ ${inner} }`;
  }
  return [...selections.slice(0, from), fragment, ...selections.slice(to)];
}

/**
 * `@include` or `@skip` with a literal or a variable; a variable sometimes only has a default,
 * which execution uses when the request does not give it.
 */
function conditionDirective(draft: Draft): string {
  const { rng } = draft;
  const directive = rng.pick(['include', 'skip']);
  if (rng.chance(0.3)) return `@${directive}(if: ${rng.chance(0.5)})`;
  const name = `b${draft.serial++}`;
  if (rng.chance(0.4)) {
    draft.variableDefinitions.push(`$${name}: Boolean!`);
    draft.variables[name] = rng.chance(0.5);
  } else {
    draft.variableDefinitions.push(`$${name}: Boolean = ${rng.chance(0.5)}`);
    if (rng.chance(0.3)) draft.variables[name] = rng.chance(0.5);
  }
  return `@${directive}(if: $${name})`;
}

/** An argument as a literal, or as a variable (given in the request, or left to its default). */
function argumentValue(draft: Draft, name: string, type: GraphQLInputType): string {
  const { rng } = draft;
  const value = randomValue(draft, name, type);
  if (!rng.chance(0.3)) return literal(value, type);
  const variable = `v${draft.serial++}`;
  if (rng.chance(0.25)) {
    draft.variableDefinitions.push(`$${variable}: ${String(type)} = ${literal(value, type)}`);
  } else {
    draft.variableDefinitions.push(`$${variable}: ${String(type)}`);
    draft.variables[variable] = value;
  }
  return `$${variable}`;
}

/** A JSON value of an input type, mostly one the graph accepts. */
function randomValue(draft: Draft, name: string, type: GraphQLInputType): unknown {
  const { rng } = draft;
  if (isNonNullType(type)) return randomValue(draft, name, type.ofType);
  if (isListType(type)) return Array.from({ length: rng.int(1, 4) }, () => randomValue(draft, name, type.ofType));
  if (isEnumType(type)) return rng.pick(type.getValues()).name;
  if (isInputObjectType(type)) {
    const fields = Object.values(type.getFields()).filter((f) => isNonNullType(f.type) || rng.chance(0.4));
    return Object.fromEntries(fields.map((f) => [f.name, randomValue(draft, f.name, f.type)]));
  }
  switch (type.name) {
    case 'USCC':
      return rng.chance(0.93) ? rng.pick(draft.codes) : invalidCode(rng, rng.pick(draft.codes));
    case 'Int':
      // The gateway caps pages at 100 and the agencies refuse fewer than 1: both sides of both.
      return name === 'first' && rng.chance(0.8) ? rng.int(1, 30) : rng.int(-5, 150);
    case 'Float':
    case 'Amount':
      return rng.int(-1_000, 20_000_000) / rng.pick([1, 10, 100]);
    case 'Boolean':
      return rng.chance(0.5);
    case 'Date':
      return rng.chance(0.9) ? rng.dateBetween('2000-01-01', '2026-12-31') : rng.pick(['2024-02-30', '2024-13-01', '24-01-01', 'yesterday']);
    default:
      return shortString(draft);
  }
}

/** A code that is not one: a wrong check character, a forbidden letter, the wrong length, garbage. */
function invalidCode(rng: Random, code: string): string {
  return rng.pick([`${code.slice(0, 17)}${code.endsWith('0') ? '1' : '0'}`, `${code.slice(0, 8)}I${code.slice(9)}`, code.slice(0, rng.int(0, 17)), `${code}0`, code.toLowerCase(), 'not-a-code', '']);
}

const STRING_SAMPLES = ['110000', '310000', '440300', 'C', 'C13', 'F5', '有限', '科技有限公司', '%', '_', "' or 1=1 --", '\\', '', ' ', 'null', 'eyJ4IjoxfQ==', 'MTAw'];

function shortString(draft: Draft): string {
  const { rng } = draft;
  if (rng.chance(0.3)) return rng.pick(draft.names);
  if (rng.chance(0.6)) return rng.pick(STRING_SAMPLES);
  const alphabet = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/';
  return Array.from({ length: rng.int(1, 12) }, () => rng.pick([...alphabet])).join('');
}

const namesOfSchema = new WeakMap<GraphQLSchema, readonly string[]>();

/** Type names and field coordinates of the schema. */
function schemaNames(schema: GraphQLSchema): readonly string[] {
  let names = namesOfSchema.get(schema);
  if (!names) {
    names = Object.values(schema.getTypeMap()).flatMap((type) => [type.name, ...(isObjectType(type) ? Object.keys(type.getFields()).map((field) => `${type.name}.${field}`) : [])]);
    namesOfSchema.set(schema, names);
  }
  return names;
}

/** A JSON value written as a GraphQL literal of its type. */
function literal(value: unknown, type: GraphQLInputType): string {
  const nullable = isNonNullType(type) ? type.ofType : type;
  if (isListType(nullable) && Array.isArray(value)) return `[${value.map((v) => literal(v, nullable.ofType)).join(', ')}]`;
  if (isEnumType(nullable)) return String(value);
  if (isInputObjectType(nullable) && value && typeof value === 'object') {
    const fields = nullable.getFields();
    return `{ ${Object.entries(value)
      .map(([key, v]) => `${key}: ${literal(v, fields[key]!.type)}`)
      .join(', ')} }`;
  }
  return JSON.stringify(value);
}

/** `count` distinct items (fewer when there are fewer). */
function sample<T>(rng: Random, items: readonly T[], count: number): T[] {
  const pool = [...items];
  const out: T[] = [];
  while (out.length < count && pool.length > 0) out.push(pool.splice(rng.int(0, pool.length - 1), 1)[0]!);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Mutations of valid operations
// ---------------------------------------------------------------------------------------------

type TextMutation = (text: string, rng: Random) => string;
type BodyMutation = (request: FuzzRequest, rng: Random) => FuzzRequest;

/**
 * One or two byte- or token-level mutations of the operation's text, and sometimes a mutation of
 * the request around it (variables of the wrong shape, a body that is not a GraphQL request,
 * bytes that are not UTF-8).
 */
export function mutateOperation(operation: FuzzRequest, rng: Random): FuzzRequest {
  let text = operation.text;
  for (let i = rng.int(1, 2); i > 0; i--) text = rng.pick(TEXT_MUTATIONS)(text, rng);
  const mutated = { ...operation, text };
  return rng.chance(0.35) ? rng.pick(BODY_MUTATIONS)(mutated, rng) : mutated;
}

/** Lexical tokens of GraphQL, roughly: strings, spreads, names, numbers, punctuators. */
const TOKEN = /"(?:[^"\\]|\\.)*"|\.\.\.|[A-Za-z_][A-Za-z0-9_]*|-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|\S/g;

function tokens(text: string): { start: number; end: number; value: string }[] {
  return [...text.matchAll(TOKEN)].map((m) => ({ start: m.index, end: m.index + m[0].length, value: m[0] }));
}

/** Replaces a random token that passes `which` (any token when none does). */
function replaceToken(text: string, rng: Random, which: (token: string) => boolean, replacement: () => string): string {
  const all = tokens(text);
  const fitting = all.filter((t) => which(t.value));
  const pool = fitting.length > 0 ? fitting : all;
  if (pool.length === 0) return replacement();
  const token = rng.pick(pool);
  return `${text.slice(0, token.start)}${replacement()}${text.slice(token.end)}`;
}

function span(text: string, rng: Random): [number, number] {
  const start = rng.int(0, Math.max(0, text.length - 1));
  return [start, Math.min(text.length, start + rng.int(1, 24))];
}

/** Nesting deep enough to find recursion without a bound (the token limit is 5,000). */
const DEPTHS = [10, 100, 1_000, 1_600, 3_000];
const isString = (t: string) => t.startsWith('"');
const isNumber = (t: string) => /^-?\d/.test(t);
const isName = (t: string) => /^[A-Za-z_]/.test(t);

const TEXT_MUTATIONS: readonly TextMutation[] = [
  function deleteChunk(text, rng) {
    const [a, b] = span(text, rng);
    return text.slice(0, a) + text.slice(b);
  },
  function duplicateChunk(text, rng) {
    const [a, b] = span(text, rng);
    return text.slice(0, b) + text.slice(a, b) + text.slice(b);
  },
  function swapChunks(text, rng) {
    const [a, b] = span(text, rng);
    const [c, d] = span(text, rng);
    if (c < b) return text.slice(0, a) + text.slice(c, d) + text.slice(b);
    return text.slice(0, a) + text.slice(c, d) + text.slice(b, c) + text.slice(a, b) + text.slice(d);
  },
  function unbalance(text, rng) {
    const at = rng.int(0, text.length);
    return text.slice(0, at) + rng.pick(['{', '}', '(', ')', '[', ']', '"', '{{{', '}}}']) + text.slice(at);
  },
  function hugeNumber(text, rng) {
    const huge = ['99999999999999999999999', '1e309', '-1e309', '2147483648', '-2147483649', '9007199254740993', '0.0000001', '-0', '1e-400'];
    return replaceToken(text, rng, isNumber, () => rng.pick(huge));
  },
  function wrongLiteral(text, rng) {
    const wrong = ['42', '-3.5', 'true', 'null', '[]', '{}', '{ a: 1 }', '["x", 1]', 'ENTERPRISE', '$undefined', '"12"'];
    return replaceToken(
      text,
      rng,
      (t) => isString(t) || isNumber(t) || t === 'true' || t === 'false',
      () => rng.pick(wrong),
    );
  },
  function unknownField(text, rng) {
    const unknown = ['zzz', '__nope', 'idNumber', 'revenue', 'arrears { amount }', 'enterprise(uscc: "x") { uscc }', '__schema { types { name } }', 'a: b: c'];
    return replaceToken(
      text,
      rng,
      (t) => t === '{',
      () => `{ ${rng.pick(unknown)} `,
    );
  },
  function renameToken(text, rng) {
    return replaceToken(text, rng, isName, () => rng.pick(['query', 'fragment', 'on', 'mutation', 'subscription', 'Enterprise', 'uscc', '__typename', '_entities', '_service', 'x']));
  },
  function deepNesting(text, rng) {
    const depth = rng.pick(DEPTHS);
    const nested = rng.pick([
      () => `${'... { '.repeat(depth)}__typename${' }'.repeat(depth)}`,
      () => `${'__type(name: "Enterprise") { ofType { '.repeat(Math.ceil(depth / 10))}name${' } }'.repeat(Math.ceil(depth / 10))}`,
      () => `market { ${'legalRepresentative { '.repeat(depth)}name${' }'.repeat(depth)} }`,
    ])();
    if (rng.chance(0.3)) return replaceToken(text, rng, isString, () => `${'['.repeat(depth)}"x"${']'.repeat(depth)}`);
    return replaceToken(
      text,
      rng,
      (t) => t === '{',
      () => `{ ${nested} `,
    );
  },
  function longString(text, rng) {
    // Around the gateway's body limit of 1 MiB, and well over it.
    const length = rng.pick([1_000, 100_000, 1_100_000, 2_000_000]);
    return replaceToken(text, rng, isString, () => `"${rng.pick(['A', '码', '\\n'])}${'x'.repeat(length)}"`);
  },
  function oddCharacters(text, rng) {
    const at = rng.int(0, text.length);
    const odd = ['\uD800', '\uDFFF', '\u0000', '\uFEFF', '\uFFFF', '\u202E', '"\\uD800"', '"\\u{110000}"', '"\\x41"', '\\', '\u00A0'];
    return text.slice(0, at) + rng.pick(odd) + text.slice(at);
  },
];

const BODY_MUTATIONS: readonly BodyMutation[] = [
  function wrongVariables(request, rng) {
    const names = Object.keys(typeof request.variables === 'object' && request.variables ? request.variables : {});
    const garbage = () => rng.pick<unknown>(['a string', 42, 1e308, -1, true, null, [], [1, 'x'], {}, { uscc: 1 }, 'x'.repeat(10_000)]);
    const variables = rng.chance(0.5) || names.length === 0 ? garbage() : Object.fromEntries(names.map((n) => [n, rng.chance(0.5) ? garbage() : (request.variables as Record<string, unknown>)[n]]));
    return { ...request, variables };
  },
  function deepVariables(request, rng) {
    const depth = rng.pick([64, 2_000, 20_000, 200_000]);
    const [open, close] = rng.pick([
      ['[', ']'],
      ['{"a":', '}'],
    ]);
    const nested = `${open.repeat(depth)}1${close.repeat(depth)}`;
    return raw(request, `{"query":${JSON.stringify(request.text)},"variables":{"v":${nested}}}`);
  },
  function notARequest(request, rng) {
    const query = JSON.stringify(request.text);
    const body = JSON.stringify({ query: request.text, variables: request.variables });
    return raw(
      request,
      rng.pick([
        '',
        'null',
        '[]',
        '"query"',
        '123',
        '{',
        body.slice(0, rng.int(1, body.length - 1)),
        `${body} trailing`,
        `[${body},${body}]`,
        '{"query":42}',
        `{"query":[${query}]}`,
        `{"query":${query},"operationName":5}`,
        `{"query":${query},"operationName":"Nope"}`,
        `{"query":${query},"variables":"{\\"v0\\":1}"}`,
        `{"query":"{ __typename }","query":${query}}`,
        `{"extensions":{"persistedQuery":{"version":1,"sha256Hash":"${'ab'.repeat(32)}"}}}`,
        `{"query":${query},"extensions":{"persistedQuery":{"version":1,"sha256Hash":"${'0'.repeat(64)}"}}}`,
        `{"query":${query},"extensions":"x"}`,
        `{"query":${JSON.stringify(' '.repeat(1_100_000))}}`,
      ]),
    );
  },
  function notUtf8(request, rng) {
    let bytes = bodyOf(request);
    for (let i = rng.int(1, 4); i > 0; i--) {
      const at = rng.int(0, bytes.length);
      // A lone byte, a truncated sequence, a surrogate, beyond U+10FFFF, an overlong slash, NUL.
      const invalid = rng.pick([[0xff], [0xc3, 0x28], [0xed, 0xa0, 0x80], [0xf4, 0x90, 0x80, 0x80], [0xc0, 0xaf], [0x00]]);
      bytes = Buffer.concat([bytes.subarray(0, at), Buffer.from(invalid), bytes.subarray(at)]);
    }
    return { ...request, rawBody: bytes };
  },
];

function raw(request: FuzzRequest, body: string): FuzzRequest {
  return { ...request, rawBody: Buffer.from(body) };
}

// ---------------------------------------------------------------------------------------------
// Invalid operations from scratch
// ---------------------------------------------------------------------------------------------

const SYNTAX = [
  '{',
  '}',
  '(',
  ')',
  ':',
  '$',
  '@',
  '...',
  '!',
  '=',
  '[',
  ']',
  ',',
  '|',
  '&',
  'query',
  'fragment',
  'on',
  'mutation',
  'subscription',
  '"x"',
  '"""block"""',
  '1',
  '-1.5e3',
  'true',
  'null',
  '#comment\n',
];

/**
 * Something that is not a valid operation: tokens of GraphQL in random order (mostly syntax
 * errors), or a well-formed document that ignores the schema (validation errors).
 */
export function generateInvalidOperation(schema: GraphQLSchema, rng: Random): FuzzRequest {
  const names = schemaNames(schema).map((n) => n.split('.').pop()!);
  if (rng.chance(0.5)) {
    const token = () => (rng.chance(0.5) ? rng.pick(SYNTAX) : rng.pick(names));
    return { text: Array.from({ length: rng.int(1, 60) }, token).join(rng.pick([' ', ''])) };
  }
  const selection = (depth: number): string => {
    const fields = Array.from({ length: rng.int(1, 3) }, () => {
      const args = rng.chance(0.3) ? `(${rng.pick(names)}: ${rng.pick(['1', '"x"', 'true', 'ENTERPRISE', '[1]', '{a: 1}', '$missing'])})` : '';
      const sub = depth < 5 && rng.chance(0.5) ? ` ${selection(depth + 1)}` : '';
      return `${rng.pick(names)}${args}${sub}`;
    });
    return `{ ${fields.join(' ')} }`;
  };
  const head = rng.pick(['', 'query ', 'mutation ', 'subscription ', 'query Q($x: Nope) ', 'query Q($x: USCC!) ', 'fragment F on Enterprise ']);
  return { text: `${head}${selection(1)}` };
}

// ---------------------------------------------------------------------------------------------
// The oracle
// ---------------------------------------------------------------------------------------------

/** A response to judge, with what is needed to judge it. */
export interface ResponseToCheck {
  readonly schema: GraphQLSchema;
  /** The document the gateway received, when it parses. */
  readonly document: DocumentNode | null;
  /** The operation name the request gave, if any. */
  readonly operationName: string | null;
  readonly status: number;
  /** The response body as received. */
  readonly body: string;
  /** What the policy decides for the caller, by coordinate (`Type.field`). */
  readonly decisions: ReadonlyMap<string, Decision>;
  /** The owners' raw values this caller must not find anywhere in the answer (rawValues.ts); unchecked when absent. */
  readonly secrets?: Secrets;
}

/**
 * The exact form each mask gives a value, written from the classification vocabulary rather than
 * from gateway/policy/masking.ts; null is always allowed. The values masked are those of the
 * owners' databases: 18-character resident ID numbers (GB 11643) keep their six-digit region and
 * last four characters, 11-digit mobile numbers their three-digit prefix and last four digits,
 * names their first character, dates their year.
 */
export const MASKED_FORMS: Readonly<Record<string, (value: unknown) => boolean>> = {
  ID_NUMBER: (v) => typeof v === 'string' && /^\d{6}\*{8}\d{3}[\dX]$/.test(v),
  NAME: (v) => typeof v === 'string' && /^(?:[^*\s]\*{1,}|\*)$/u.test(v),
  PHONE: (v) => typeof v === 'string' && /^1\d{2}\*{4}\d{4}$/.test(v),
  AMOUNT_BAND: (v) => typeof v === 'string' && ['negative', '0-10k', '10k-100k', '100k-1M', '1M-10M', '10M+'].includes(v),
  DATE_YEAR: (v) => typeof v === 'string' && /^(?:19|20)\d{2}$/.test(v),
  HASH: (v) => typeof v === 'string' && /^h:[A-Za-z0-9_-]{22}$/.test(v),
};

/**
 * What is wrong with a response, one sentence per violation: a 5xx; a body that is not a GraphQL
 * response; a value where the policy denies the field (or does not decide it); a value not in its
 * mask's form where the policy masks it; and, given the caller's secrets, any raw value of theirs
 * in any string of the body (a cursor, an error, a field of another name).
 *
 * The oracle does not evaluate `@skip`/`@include` or the request's variables: it checks every
 * key the data holds, so a value cannot escape it by a directive read differently here and there.
 */
export function checkResponse(response: ResponseToCheck): string[] {
  return judgeResponse(response).violations;
}

/** What the oracle found in a response, and what it looked at. */
export interface Judgement {
  readonly violations: string[];
  /** Keys of the data whose field the policy denies the caller (each found null, or reported). */
  readonly deniedKeys: number;
  /** Values of the data under a field the policy masks for the caller (each found in its mask's form, or reported). */
  readonly maskedValues: number;
}

/**
 * {@link checkResponse}, with how many denied keys and masked values the oracle found in the
 * data: read from the answer itself, so that a fuzz can show its checks were not vacuous without
 * asking the gateway which fields it ran.
 */
export function judgeResponse(response: ResponseToCheck): Judgement {
  const violations: string[] = [];
  const none = { violations, deniedKeys: 0, maskedValues: 0 };
  if (response.status >= 500) violations.push(`HTTP ${response.status}: ${response.body.slice(0, 300)}`);
  let parsed: unknown;
  try {
    parsed = JSON.parse(response.body);
  } catch {
    violations.push(`the body is not JSON (HTTP ${response.status}): ${response.body.slice(0, 200)}`);
    return none;
  }
  if (response.secrets) violations.push(...leaks(response.body, response.secrets));
  const shapeProblem = notAGraphQLResponse(parsed, response.status);
  if (shapeProblem) {
    violations.push(shapeProblem);
    return none;
  }
  const data = (parsed as { data?: unknown }).data;
  if (!data || typeof data !== 'object') return none;
  const walked = dataViolations(response, data as Record<string, unknown>);
  violations.push(...walked.violations);
  return { violations, deniedKeys: walked.deniedKeys, maskedValues: walked.maskedValues };
}

function notAGraphQLResponse(body: unknown, status: number): string | null {
  if (!body || typeof body !== 'object' || Array.isArray(body)) return `the body is not a GraphQL response (HTTP ${status}): ${preview(body)}`;
  const { data, errors } = body as { data?: unknown; errors?: unknown };
  if (data === undefined && errors === undefined) return `the body has neither data nor errors (HTTP ${status}): ${preview(body)}`;
  if (data !== undefined && data !== null && (typeof data !== 'object' || Array.isArray(data))) return `data is not an object: ${preview(data)}`;
  if (errors !== undefined) {
    const wellFormed = Array.isArray(errors) && errors.length > 0 && errors.every((e) => e && typeof e === 'object' && typeof (e as { message?: unknown }).message === 'string');
    if (!wellFormed) return `errors is not a list of errors with messages: ${preview(errors)}`;
  }
  return null;
}

function dataViolations(response: ResponseToCheck, data: Record<string, unknown>): { violations: string[]; deniedKeys: number; maskedValues: number } {
  const operation = response.document && operationOf(response.document, response.operationName);
  const query = response.schema.getQueryType();
  if (!operation || operation.operation !== OperationTypeNode.QUERY || !query) {
    return { violations: [`data came back for an operation the oracle cannot find in what was sent: ${preview(data)}`], deniedKeys: 0, maskedValues: 0 };
  }
  const fragments = new Map<string, FragmentDefinitionNode>();
  for (const d of response.document.definitions) if (d.kind === Kind.FRAGMENT_DEFINITION) fragments.set(d.name.value, d);
  const context: Walk = { ...response, fragments, found: new Map(), deniedKeys: 0, maskedValues: 0 };
  walk(context, operation.selectionSet, query, data, [], new Set());
  const violations = [...context.found.values()].map(({ first, more }) => (more > 0 ? `${first} (and ${more} more like it in this response)` : first));
  return { violations, deniedKeys: context.deniedKeys, maskedValues: context.maskedValues };
}

/** The operation the gateway executes: the one named, or the only one. */
function operationOf(document: DocumentNode, name: string | null): OperationDefinitionNode | undefined {
  const operations = document.definitions.filter((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION);
  if (name !== null) return operations.find((o) => o.name?.value === name);
  return operations.length === 1 ? operations[0] : undefined;
}

interface Walk extends ResponseToCheck {
  readonly fragments: ReadonlyMap<string, FragmentDefinitionNode>;
  /** By coordinate and what is wrong: the first occurrence, and how many more (a list repeats one leak). */
  readonly found: Map<string, { first: string; more: number }>;
  /** Keys of denied fields met in the data, and values of masked fields judged. */
  deniedKeys: number;
  maskedValues: number;
}

function report(context: Walk, coordinate: string, wrong: 'denied' | 'unmasked' | 'unchecked', message: string): void {
  const key = `${wrong} ${coordinate}`;
  const seen = context.found.get(key);
  if (seen) seen.more++;
  else context.found.set(key, { first: message, more: 0 });
}

/**
 * Checks the values under one selection set. The graph has no interfaces or unions, so a value's
 * type is its field's type; an abstract type is reported rather than skipped, so the oracle never
 * passes what it could not look at.
 */
function walk(context: Walk, selectionSet: SelectionSetNode, type: GraphQLObjectType, value: Record<string, unknown>, path: readonly (string | number)[], spreading: ReadonlySet<string>): void {
  for (const selection of selectionSet.selections) {
    if (selection.kind === Kind.FIELD) {
      const name = selection.name.value;
      const key = selection.alias?.value ?? name;
      // Introspection is no agency's data: who may introspect is decided before execution.
      if (name.startsWith('__') || !Object.hasOwn(value, key)) continue;
      checkField(context, selection.selectionSet, type, name, value[key], [...path, key], spreading);
      continue;
    }
    const fragmentName = selection.kind === Kind.FRAGMENT_SPREAD ? selection.name.value : null;
    if (fragmentName !== null && spreading.has(fragmentName)) continue;
    const fragment = selection.kind === Kind.INLINE_FRAGMENT ? selection : context.fragments.get(selection.name.value);
    if (!fragment) continue;
    const condition = fragment.typeCondition ? context.schema.getType(fragment.typeCondition.name.value) : type;
    if (condition !== type) continue;
    walk(context, fragment.selectionSet, type, value, path, fragmentName === null ? spreading : new Set([...spreading, fragmentName]));
  }
}

function checkField(
  context: Walk,
  selectionSet: SelectionSetNode | undefined,
  parent: GraphQLObjectType,
  name: string,
  fieldValue: unknown,
  path: readonly (string | number)[],
  spreading: ReadonlySet<string>,
): void {
  const coordinate = `${parent.name}.${name}`;
  const at = path.join('.');
  const decision = context.decisions.get(coordinate);
  if (!decision || decision.effect === 'DENY') {
    context.deniedKeys++;
    if (fieldValue !== null) report(context, coordinate, 'denied', `${at}: ${coordinate} is denied (${decision?.rule ?? 'undecided'}) but has a value: ${preview(fieldValue)}`);
    return;
  }
  if (decision.effect === 'MASK') {
    const masked = MASKED_FORMS[decision.mask ?? ''] ?? (() => false);
    for (const leaf of leaves(fieldValue)) {
      if (leaf !== null) context.maskedValues++;
      if (leaf !== null && !masked(leaf)) report(context, coordinate, 'unmasked', `${at}: ${coordinate} is masked (${decision.mask}) but reads ${preview(leaf)}`);
    }
    return;
  }
  const type = getNamedType(parent.getFields()[name]?.type);
  if (!selectionSet || !type) return;
  if (isAbstractType(type)) {
    report(context, coordinate, 'unchecked', `${at}: the oracle cannot check ${coordinate}, of the abstract type ${type.name}`);
    return;
  }
  if (!isObjectType(type)) return;
  forEachObject(fieldValue, path, (item, itemPath) => walk(context, selectionSet, type, item, itemPath, spreading));
}

function leaves(value: unknown): unknown[] {
  return Array.isArray(value) ? value.flatMap(leaves) : [value];
}

function forEachObject(value: unknown, path: readonly (string | number)[], visit: (item: Record<string, unknown>, path: readonly (string | number)[]) => void): void {
  if (Array.isArray(value)) value.forEach((item, i) => forEachObject(item, [...path, i], visit));
  else if (value && typeof value === 'object') visit(value as Record<string, unknown>, path);
}

function preview(value: unknown): string {
  return (JSON.stringify(value) ?? String(value)).slice(0, 120);
}

// ---------------------------------------------------------------------------------------------
// Running a fuzz against a gateway
// ---------------------------------------------------------------------------------------------

/** Options of {@link runFuzz}. */
export interface FuzzOptions {
  /** The gateway's /graphql URL. */
  readonly gatewayUrl: string;
  /** The federation's keys folder (for the development token issuer). */
  readonly keysDir: string;
  readonly cases: number;
  /** Case i is built from a seed derived from this and i. */
  readonly seed: number;
  /** Valid codes of the federation's universe, for arguments. */
  readonly codes: readonly string[];
  /** Who asks; case i is sent by caller i modulo their number. Default: every caller of CALLERS. */
  readonly callers?: readonly Caller[];
  /** Requests in flight at once; default 8. */
  readonly concurrency?: number;
  /** Called after each case. */
  readonly onCase?: (result: CaseResult) => void;
  /** The owners' raw personal values of the enterprises in `codes` (rawValues.ts), for the leak invariant. */
  readonly rawValues?: RawValues;
}

/** How one case went. */
export interface CaseResult {
  readonly seed: number;
  readonly kind: CaseKind;
  readonly caller: string;
  /** The operation text, or the raw body when that is what was mutated. */
  readonly text: string;
  /** The HTTP status; 0 when no answer came. */
  readonly status: number;
  /** From sending the request to the end of the answer (or to giving up). */
  readonly milliseconds: number;
  /** 200 with data. */
  readonly answered: boolean;
  /** The answer's data held a key the policy denies the caller / a value it masks for the caller (as the oracle read it). */
  readonly metDenied: boolean;
  readonly metMasked: boolean;
  readonly violations: readonly string[];
  /** Cursors in the answer to an operation that asked for the employees list's cursors (read by the leak invariant when it runs). */
  readonly cursors: number;
}

/** A violation with what reproduces it. */
export interface FuzzViolation {
  readonly seed: number;
  readonly kind: CaseKind;
  readonly caller: string;
  readonly text: string;
  readonly violation: string;
}

/** What a fuzz run found. */
export interface FuzzReport {
  cases: number;
  /** Cases of each kind, and how many were answered 200 with data. */
  readonly byKind: Record<CaseKind, { cases: number; answered: number }>;
  /** By caller name: cases, answered, answered cases whose data held keys the policy denies or values it masks, and cursors in its answers. */
  readonly byCaller: Record<string, { cases: number; answered: number; metDenied: number; metMasked: number; cursors: number }>;
  /** Responses by HTTP status (0: no answer). */
  readonly statuses: Record<number, number>;
  readonly violations: FuzzViolation[];
  /** Cursors in answers to operations that asked for the employees list's cursors. */
  cursors: number;
}

/** How long one request may take before it counts as a hang (the gateway's own deadline is 15 s). */
const ANSWER_TIMEOUT_MS = 20_000;

/** Sends `cases` fuzz cases to the gateway, spread over the callers, and judges every answer. */
export async function runFuzz(options: FuzzOptions): Promise<FuzzReport> {
  const schema = await loadApiSchema();
  const catalogue = readCatalogue();
  const callers = options.callers ?? Object.values(CALLERS);
  const oracle = oracleDecisions(schema, callers);
  const asCaller = await Promise.all(
    callers.map(async (caller) => ({
      caller,
      headers: { 'content-type': 'application/json', ...(await headersFor(options, caller, 3_600)) },
      decisions: oracle.get(caller.name)!,
    })),
  );
  const withSecrets = asCaller.map((who) => ({
    ...who,
    focus: focusCoordinates(schema, catalogue, who.decisions),
    ...(options.rawValues ? { secrets: secretsFor(options.rawValues, who.decisions) } : {}),
  }));
  const report: FuzzReport = {
    cases: 0,
    byKind: { valid: { cases: 0, answered: 0 }, mutated: { cases: 0, answered: 0 }, invalid: { cases: 0, answered: 0 } },
    byCaller: Object.fromEntries(callers.map((c) => [c.name, { cases: 0, answered: 0, metDenied: 0, metMasked: 0, cursors: 0 }])),
    statuses: {},
    cursors: 0,
    violations: [],
  };
  let next = 0;
  // Each worker keeps one connection of its own, so that a request left unanswered can be
  // blamed on the one before it on the same connection when that is where the trouble began.
  const worker = async () => {
    const connection = new Agent({ connections: 1 });
    let previous: CaseResult | null = null;
    try {
      while (next < options.cases) {
        const i = next++;
        const who = withSecrets[i % withSecrets.length]!;
        const fuzzCase = buildCase(schema, options.codes, hash32(`${options.seed}:${i}`), who.focus);
        const result: CaseResult = await runCase({ gatewayUrl: options.gatewayUrl, schema, connection, previous }, fuzzCase, who);
        tally(report, result);
        options.onCase?.(result);
        previous = result;
      }
    } finally {
      await connection.destroy();
    }
  };
  await Promise.all(Array.from({ length: options.concurrency ?? 8 }, worker));
  return report;
}

/** Where and after what a case is sent. */
interface Sending {
  readonly gatewayUrl: string;
  readonly schema: GraphQLSchema;
  readonly connection: Agent;
  /** The case sent before on the same connection. */
  readonly previous: CaseResult | null;
}

async function runCase(
  { gatewayUrl, schema, connection, previous }: Sending,
  fuzzCase: FuzzCase,
  who: { caller: Caller; headers: Record<string, string>; decisions: ReadonlyMap<string, Decision>; secrets?: Secrets },
): Promise<CaseResult> {
  const body = bodyOf(fuzzCase.request);
  const sent = requestSeenByGateway(body);
  const base = {
    seed: fuzzCase.seed,
    kind: fuzzCase.kind,
    caller: who.caller.name,
    text: fuzzCase.request.rawBody ? body.toString('utf8').slice(0, 4_000) : fuzzCase.request.text,
  };
  const started = performance.now();
  let status: number;
  let text: string;
  try {
    const res = await request(gatewayUrl, { method: 'POST', headers: who.headers, body, dispatcher: connection, signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS) });
    status = res.statusCode;
    text = await res.body.text();
  } catch (error) {
    const before = previous ? `; before it on the same connection: case ${previous.seed} (${previous.kind}), HTTP ${previous.status}` : '';
    const violation = `no answer: ${(error as Error).message}${before}`;
    return { ...base, status: 0, milliseconds: performance.now() - started, answered: false, metDenied: false, metMasked: false, violations: [violation], cursors: 0 };
  }
  const milliseconds = performance.now() - started;
  const judged = judgeResponse({
    schema,
    document: sent.document,
    operationName: sent.operationName,
    status,
    body: text,
    decisions: who.decisions,
    ...(who.secrets ? { secrets: who.secrets } : {}),
  });
  const answered = status === 200 && hasData(text);
  // Cursors of the employees list, whose sort key is a person's name and ID number: answered, and
  // asked for by the text (read here apart from the gateway's own walkers).
  const cursors = answered && /\bemployees\b[^{}]*\{[\s\S]*\b(?:cursor|endCursor)\b/.test(base.text) ? (text.match(/"[^"]*":"c1\.[\w-]+"/g) ?? []).length : 0;
  const { violations } = judged;
  return { ...base, status, milliseconds, answered, metDenied: answered && judged.deniedKeys > 0, metMasked: answered && judged.maskedValues > 0, violations, cursors };
}

/** The document and operation name the gateway reads from a body (decoded as the gateway decodes it). */
function requestSeenByGateway(body: Buffer): { document: DocumentNode | null; operationName: string | null } {
  let request: unknown;
  try {
    request = JSON.parse(body.toString('utf8'));
  } catch {
    return { document: null, operationName: null };
  }
  const { query, operationName } = (request && typeof request === 'object' ? request : {}) as { query?: unknown; operationName?: unknown };
  let document: DocumentNode | null = null;
  try {
    if (typeof query === 'string') document = parse(query, { noLocation: true });
  } catch {
    // Not GraphQL: the gateway refuses it, and there is no data to walk.
  }
  return { document, operationName: typeof operationName === 'string' ? operationName : null };
}

function hasData(body: string): boolean {
  try {
    const data = (JSON.parse(body) as { data?: unknown }).data;
    return data !== undefined && data !== null;
  } catch {
    return false;
  }
}

function tally(report: FuzzReport, result: CaseResult): void {
  report.cases++;
  report.statuses[result.status] = (report.statuses[result.status] ?? 0) + 1;
  const kind = report.byKind[result.kind];
  kind.cases++;
  const caller = report.byCaller[result.caller]!;
  caller.cases++;
  report.cursors += result.cursors;
  report.byCaller[result.caller]!.cursors += result.cursors;
  if (result.answered) {
    kind.answered++;
    caller.answered++;
    if (result.metDenied) caller.metDenied++;
    if (result.metMasked) caller.metMasked++;
  }
  for (const violation of result.violations) {
    report.violations.push({ seed: result.seed, kind: result.kind, caller: result.caller, text: result.text, violation });
  }
}

/**
 * The coordinates a caller is shown masked and can reach: those whose type is reached from the
 * query root through fields the caller is allowed (a masked field under a denied one never
 * carries a value). Read from the schema and the oracle's decisions.
 */
export function reachableMasked(schema: GraphQLSchema, decisions: ReadonlyMap<string, Decision>): string[] {
  const query = schema.getQueryType();
  if (!query) return [];
  const reached = new Set<string>([query.name]);
  const queue: GraphQLObjectType[] = [query];
  const masked: string[] = [];
  for (let type = queue.shift(); type; type = queue.shift()) {
    for (const [name, field] of Object.entries(type.getFields())) {
      const effect = decisions.get(`${type.name}.${name}`)?.effect;
      if (effect === 'MASK') masked.push(`${type.name}.${name}`);
      const target = getNamedType(field.type);
      if (effect === 'ALLOW' && isObjectType(target) && !reached.has(target.name)) {
        reached.add(target.name);
        queue.push(target);
      }
    }
  }
  return masked;
}
