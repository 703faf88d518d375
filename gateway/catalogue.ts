/**
 * The classification catalogue: for every field coordinate of the supergraph, the agency that
 * owns it and its @classify arguments. Extracted from the composed supergraph, so the catalogue
 * is exactly what the agencies declared in their subgraph schemas.
 */
import { Kind, parse, type ConstDirectiveNode, type ConstValueNode, type DocumentNode, type TypeNode } from 'graphql';

/** The four government data-sharing classes. */
export type Sharing = 'PUBLIC' | 'UNCONDITIONAL' | 'CONDITIONAL' | 'NONE';

/** The named type a mask can be applied to (masked values are strings of that type's shape). */
const MASKABLE_TYPES: Readonly<Record<string, readonly string[]>> = {
  ID_NUMBER: ['String'],
  NAME: ['String'],
  PHONE: ['String'],
  HASH: ['String'],
  AMOUNT_BAND: ['Amount'],
  DATE_YEAR: ['Date'],
};

/** One field's entry in the catalogue. */
export interface CatalogueEntry {
  /** `Type.field`, e.g. `TaxProfile.arrears`. */
  readonly coordinate: string;
  /** Subgraph names (agencies) that resolve the field; one for every agency-owned field. */
  readonly owners: readonly string[];
  readonly sharing: Sharing;
  readonly personal: boolean;
  readonly mask: string | null;
  readonly purposes: readonly string[];
  readonly description: string | null;
}

const INTERNAL_TYPE_PREFIXES = ['join__', 'link__'];

/**
 * What is wrong with the classifications of the supergraph, one sentence per problem; empty
 * when the build may go on. A field must be classified; secret information never enters the
 * graph; a field that some caller may be denied must be nullable (the gateway answers null there
 * without breaking its parent); a mask must fit the field's type and class.
 */
export function classificationProblems(supergraphSdl: string): string[] {
  const problems: string[] = [];
  forEachField(parse(supergraphSdl), (coordinate, directives, _description, type) => {
    const classify = directives.find((d) => d.name.value === 'classify');
    if (!classify) {
      problems.push(`UNCLASSIFIED_FIELD: ${coordinate} has no @classify; every field must declare how it may be shared`);
      return;
    }
    const args = new Map((classify.arguments ?? []).map((a) => [a.name.value, a.value]));
    const sharing = enumValue(args.get('sharing'));
    const mask = enumValue(args.get('mask'));
    const purposes = listValue(args.get('purposes'));
    if (sharing === 'SECRET') {
      problems.push(`SECRET_FIELD: ${coordinate} is classified SECRET; classified information never enters the graph`);
      return;
    }
    if (sharing !== 'PUBLIC' && type.kind === Kind.NON_NULL_TYPE) {
      problems.push(`DENIABLE_NON_NULL: ${coordinate} is ${sharing}, so some callers are denied it; it must be nullable`);
    }
    if (mask) {
      const named = namedType(type);
      if (!(MASKABLE_TYPES[mask] ?? []).includes(named)) {
        problems.push(`MASK_TYPE: ${coordinate} is masked as ${mask}, which applies to ${(MASKABLE_TYPES[mask] ?? []).join(' or ')}, not ${named}`);
      }
      if (sharing === 'PUBLIC' || sharing === 'NONE') {
        problems.push(`MASK_UNUSED: ${coordinate} is ${sharing}, so its ${mask} mask would never apply`);
      }
    }
    if (sharing === 'CONDITIONAL' && purposes.length === 0) {
      problems.push(`CONDITIONAL_WITHOUT_PURPOSES: ${coordinate} is CONDITIONAL but lists no purposes it is shared for`);
    }
    if (sharing !== 'CONDITIONAL' && purposes.length > 0) {
      problems.push(`PURPOSES_UNUSED: ${coordinate} is ${sharing}; purposes apply to CONDITIONAL fields only`);
    }
  });
  return problems;
}

/** The catalogue of every classified field of the supergraph, ordered by coordinate. */
export function buildCatalogue(supergraphSdl: string): CatalogueEntry[] {
  const document = parse(supergraphSdl);
  const typeOwners = new Map<string, string[]>();
  for (const def of document.definitions) {
    if (def.kind === Kind.OBJECT_TYPE_DEFINITION || def.kind === Kind.INTERFACE_TYPE_DEFINITION) {
      typeOwners.set(def.name.value, joinGraphs(def.directives ?? [], 'join__type'));
    }
  }
  const entries: CatalogueEntry[] = [];
  forEachField(document, (coordinate, directives, description) => {
    const classify = directives.find((d) => d.name.value === 'classify');
    if (!classify) return;
    const args = new Map((classify.arguments ?? []).map((a) => [a.name.value, a.value]));
    const fieldOwners = joinGraphs(directives, 'join__field');
    entries.push({
      coordinate,
      owners: fieldOwners.length > 0 ? fieldOwners : (typeOwners.get(coordinate.split('.')[0]!) ?? []),
      sharing: enumValue(args.get('sharing')) as Sharing,
      personal: args.get('personal')?.kind === Kind.BOOLEAN && (args.get('personal') as { value: boolean }).value,
      mask: enumValue(args.get('mask')),
      purposes: listValue(args.get('purposes')),
      description,
    });
  });
  return entries.sort((a, b) => a.coordinate.localeCompare(b.coordinate));
}

function forEachField(document: DocumentNode, visit: (coordinate: string, directives: readonly ConstDirectiveNode[], description: string | null, type: TypeNode) => void): void {
  for (const def of document.definitions) {
    if (def.kind !== Kind.OBJECT_TYPE_DEFINITION && def.kind !== Kind.INTERFACE_TYPE_DEFINITION) continue;
    if (INTERNAL_TYPE_PREFIXES.some((p) => def.name.value.startsWith(p))) continue;
    for (const field of def.fields ?? []) {
      visit(`${def.name.value}.${field.name.value}`, field.directives ?? [], field.description?.value ?? null, field.type);
    }
  }
}

function namedType(type: TypeNode): string {
  return type.kind === Kind.NAMED_TYPE ? type.name.value : namedType(type.type);
}

function joinGraphs(directives: readonly ConstDirectiveNode[], name: string): string[] {
  const graphs = new Set<string>();
  for (const d of directives) {
    if (d.name.value !== name) continue;
    const graph = d.arguments?.find((a) => a.name.value === 'graph');
    if (graph?.value.kind === Kind.ENUM) graphs.add(graph.value.value.toLowerCase());
  }
  return [...graphs];
}

function enumValue(node: ConstValueNode | undefined): string | null {
  return node?.kind === Kind.ENUM ? node.value : null;
}

function listValue(node: ConstValueNode | undefined): string[] {
  if (!node) return [];
  if (node.kind === Kind.LIST) return node.values.map(enumValue).filter((v): v is string => v !== null);
  const single = enumValue(node);
  return single ? [single] : [];
}
