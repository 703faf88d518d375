/**
 * GraphQL Code Generator's configuration (`make graphql-types`): TypeScript types from the GraphQL
 * contracts, so that resolvers and the operations the gateway sends are checked against the
 * schemas rather than against hand-written copies of them.
 *
 * - Each agency's resolvers (subgraphs/<agency>/generated/): the types of the schema the agency's
 *   subgraph is built from (subgraphSdl: its schema.graphql, the shortlist query and the shared
 *   definitions), and its resolver signatures, with the rows of its data source as parents.
 * - The in-process subgraphs' resolvers (gateway/generated/graphql/review/, audit/, events/), from
 *   their SDL as the gateway builds them.
 * - The operations the gateway and the scripts send (`/* GraphQL *\/` documents), typed against
 *   the API schema of the supergraph composed from the same subgraphs as scripts/compose.ts, which
 *   is what the gateway serves them from.
 *
 * The generated files are produced by the build, ignored by git and never edited by hand.
 */
import { composeServices } from '@apollo/composition';
import type { CodegenConfig } from '@graphql-codegen/cli';
import type { Types } from '@graphql-codegen/plugin-helpers';
import { Kind, parse, printSchema, type ObjectTypeDefinitionNode, type ObjectTypeExtensionNode } from 'graphql';
import { auditSubgraphSdl } from './gateway/audit/auditSubgraph.js';
import { eventsSubgraphSdl } from './gateway/events/eventsSubgraph.js';
import { reviewSubgraphSdl } from './gateway/review/reviewSubgraph.js';
import { AGENCIES, type Agency } from './platform/domain/agencies.js';
import { subgraphSdl } from './subgraphs/runtime/subgraphSchema.js';

/** The first line of every generated file. */
const GENERATED = '// Generated from the GraphQL schemas by graphql-codegen (codegen.ts, make graphql-types): never edit by hand.\n';

/**
 * The project's scalars (platform/domain/scalars.ts) as resolvers see them: a USCC and a Date are
 * strings both ways; an Amount is a number of yuan. `_FieldSet` is the argument type of the
 * Federation directives the generator adds to a `federation: true` schema.
 */
const RESOLVER_SCALARS = { USCC: 'string', Date: 'string', Amount: 'number', _FieldSet: 'string' };

/** The scalars as a caller of the gateway receives them: a masked Amount is a band such as "100k-1M" (AMOUNT_BAND). */
const OPERATION_SCALARS = { USCC: 'string', Date: 'string', Amount: { input: 'number', output: 'number | string' } };

/** Settings both kinds of output share: string unions for enums, nothing typed `any` left to chance, ESM type imports. */
const COMMON = {
  enumsAsTypes: true,
  strictScalars: true,
  useTypeImports: true,
  // Resolvers may hand back read-only lists (the data sources' pages are); a caller must not change an answer.
  immutableTypes: true,
};

/** The schema types of a subgraph (enums, objects, scalars): imported by its data sources and its resolver types. */
function schemaTypes(sdl: string): Types.ConfiguredOutput {
  return { schema: sdl, plugins: [{ add: { content: GENERATED } }, 'typescript'], config: { ...COMMON, scalars: RESOLVER_SCALARS } };
}

/**
 * The resolver signatures of a subgraph, over the schema types generated beside them. `mappers`
 * name the type each GraphQL type's resolvers receive as parent (the data source's row, say).
 */
function resolverTypes(sdl: string, contextType: string, mappers: Record<string, string> = {}): Types.ConfiguredOutput {
  // The generator's Federation mappings name the entities' schema types unqualified, without the
  // `Types.` namespace the rest of the file uses: they are imported by name as well.
  const entities = entityNames(sdl);
  const imports = [`import type * as Types from './types.js';`, ...(entities.length > 0 ? [`import type { ${entities.join(', ')} } from './types.js';`] : [])];
  return {
    schema: sdl,
    plugins: [{ add: { content: `${GENERATED}${imports.join('\n')}\n` } }, 'typescript-resolvers'],
    config: {
      ...COMMON,
      scalars: RESOLVER_SCALARS,
      // The subgraphs are Apollo Federation subgraphs: entities get typed __resolveReference.
      federation: true,
      namespacedImportName: 'Types',
      contextType,
      mappers,
    },
  };
}

/** The object types of `sdl` that are entities (carry @key). */
function entityNames(sdl: string): string[] {
  return parse(sdl)
    .definitions.filter((d): d is ObjectTypeDefinitionNode | ObjectTypeExtensionNode => d.kind === Kind.OBJECT_TYPE_DEFINITION || d.kind === Kind.OBJECT_TYPE_EXTENSION)
    .filter((d) => d.directives?.some((directive) => directive.name.value === 'key'))
    .map((d) => d.name.value);
}

/** The mappers every agency shares: an Enterprise is passed on as its code, a joint measure as its row (subgraphs/runtime). */
const ENTERPRISE_REFERENCE = {
  Enterprise: '../../runtime/subgraphServer.js#EnterpriseReference',
  // Joint measures are read alike by every agency (subgraphs/runtime/jointMeasures.ts).
  JointMeasure: '../../runtime/jointMeasures.js#JointMeasureRow',
};

/**
 * Per agency: its resolvers' context type (resolvers/<context>.ts), its data source
 * (data/<source>.ts) and the rows of that source its resolvers receive, by GraphQL type.
 */
const AGENCY_RESOLVERS: Record<Agency, { context: string; source: string; rows: Record<string, string> }> = {
  market: {
    context: 'MarketContext',
    source: 'MarketSource',
    rows: {
      MarketProfile: 'RegistrationRow',
      AdministrativeLicence: 'LicenceRow',
      AdministrativePenalty: 'PenaltyRow',
      AbnormalOperationEntry: 'AbnormalOperationRow',
      SeriousViolationEntry: 'SeriousViolationRow',
      AnnualReport: 'AnnualReportRow',
      CreditCommitment: 'CreditCommitmentRow',
    },
  },
  tax: {
    context: 'TaxContext',
    source: 'TaxSource',
    rows: {
      TaxProfile: 'TaxpayerRow',
      TaxCreditRating: 'CreditRatingRow',
      TaxArrear: 'TaxArrearRow',
      MajorTaxViolation: 'MajorViolationRow',
      TaxFiling: 'FilingRow',
    },
  },
  social: {
    context: 'SocialContext',
    source: 'SocialSource',
    rows: {
      SocialProfile: 'EmployerRow',
      MonthlyHeadcount: 'HeadcountRow',
      ContributionArrear: 'ContributionArrearRow',
      Employee: 'EmployeeRow',
    },
  },
  customs: {
    context: 'CustomsContext',
    source: 'CustomsSource',
    rows: {
      CustomsProfile: 'CustomsRegistrationRow',
      CustomsDeclaration: 'DeclarationRow',
      CustomsViolation: 'CustomsViolationRow',
    },
  },
};

/** An agency's two outputs, in subgraphs/<agency>/generated/ (paths in them are relative to it). */
function agencyOutputs(agency: Agency): [string, Types.ConfiguredOutput][] {
  const { context, source, rows } = AGENCY_RESOLVERS[agency];
  const sdl = subgraphSdl(agency);
  const mappers = { ...ENTERPRISE_REFERENCE, ...Object.fromEntries(Object.entries(rows).map(([type, row]) => [type, `../data/${source}.js#${row}`])) };
  return [
    [`subgraphs/${agency}/generated/types.ts`, schemaTypes(sdl)],
    [`subgraphs/${agency}/generated/resolvers.ts`, resolverTypes(sdl, `../resolvers/${context}.js#${context}`, mappers)],
  ];
}

/**
 * The API schema of the supergraph: the subgraphs scripts/compose.ts composes (the agencies', the
 * review's and the audit's), without the federation machinery a caller never sees.
 */
function apiSchemaSdl(): string {
  const result = composeServices([
    ...AGENCIES.map((agency) => ({ name: agency, url: `http://${agency}`, typeDefs: parse(subgraphSdl(agency)) })),
    { name: 'review', url: 'http://review', typeDefs: parse(reviewSubgraphSdl()) },
    { name: 'audit', url: 'http://audit', typeDefs: parse(auditSubgraphSdl()) },
    { name: 'events', url: 'http://events', typeDefs: parse(eventsSubgraphSdl()) },
  ]);
  if (result.errors) throw new Error(`the supergraph does not compose: ${result.errors.map((e) => e.message).join('; ')}`);
  return printSchema(result.schema.toAPISchema().toGraphQLJSSchema());
}

const config: CodegenConfig = {
  overwrite: true,
  generates: {
    ...Object.fromEntries(AGENCIES.flatMap(agencyOutputs)),
    // The in-process subgraphs. The audit's resolvers have no context (`object`); the review's
    // context is declared beside its wiring, which would import these types back, so it is given
    // where the map is declared, as `Resolvers<ReviewContext>`.
    'gateway/generated/graphql/review/types.ts': schemaTypes(reviewSubgraphSdl()),
    'gateway/generated/graphql/review/resolvers.ts': resolverTypes(reviewSubgraphSdl(), 'unknown'),
    'gateway/generated/graphql/audit/types.ts': schemaTypes(auditSubgraphSdl()),
    'gateway/generated/graphql/audit/resolvers.ts': resolverTypes(auditSubgraphSdl(), 'object'),
    'gateway/generated/graphql/events/types.ts': schemaTypes(eventsSubgraphSdl()),
    'gateway/generated/graphql/events/resolvers.ts': resolverTypes(eventsSubgraphSdl(), 'unknown'),
    // Every `/* GraphQL */` document of the gateway and the commands, validated against the API
    // schema: a field renamed in a subgraph fails the build here rather than at run time.
    'gateway/generated/graphql/operations.ts': {
      schema: apiSchemaSdl(),
      documents: ['gateway/**/*.ts', 'scripts/*.ts', 'bench/*.ts', '!**/*.test.ts', '!**/generated/**'],
      plugins: [{ add: { content: GENERATED } }, 'typescript-operations'],
      config: { ...COMMON, scalars: OPERATION_SCALARS },
    },
  },
};

export default config;
