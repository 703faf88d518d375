/**
 * Look-ahead: the fields a query selects below the field being resolved. A data source that
 * knows them asks for every table it will need in the turn it reads the enterprise itself, so
 * that they travel to the database as one statement ({@link Database.forRequest}) rather than
 * the lists one turn later, in a second.
 */
import type DataLoader from 'dataloader';
import { Kind, type FieldNode, type GraphQLResolveInfo, type SelectionSetNode } from 'graphql';

/** By field node (the same objects while a cached document is executed), by path below it. */
const memo = new WeakMap<FieldNode, Map<string, ReadonlySet<string>>>();

/**
 * The names of the fields selected under the field being resolved, or under its subfield
 * `under` (`market` below `enterprise`), through fragments. Directives are not read: a field
 * skipped by `@skip` is only read for nothing.
 */
export function selectedFields(info: GraphQLResolveInfo, under = ''): ReadonlySet<string> {
  const node = info.fieldNodes[0]!;
  let byPath = memo.get(node);
  if (!byPath) {
    byPath = new Map();
    memo.set(node, byPath);
  }
  let names = byPath.get(under);
  if (!names) {
    const outer = new Set<string>();
    const inner = new Set<string>();
    for (const field of info.fieldNodes) collect(field.selectionSet, info, under ? innerCollector(under, inner, info) : outer);
    names = under ? inner : outer;
    byPath.set(under, names);
  }
  return names;
}

type Collector = Set<string> | ((field: FieldNode) => void);

function innerCollector(under: string, into: Set<string>, info: GraphQLResolveInfo): Collector {
  return (field) => {
    if (field.name.value === under) collect(field.selectionSet, info, into);
  };
}

function collect(selectionSet: SelectionSetNode | undefined, info: GraphQLResolveInfo, into: Collector): void {
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) {
      if (typeof into === 'function') into(selection);
      else into.add(selection.name.value);
    } else if (selection.kind === Kind.INLINE_FRAGMENT) {
      collect(selection.selectionSet, info, into);
    } else {
      collect(info.fragments[selection.name.value]?.selectionSet, info, into);
    }
  }
}

/** Starts the loads of `uscc` that `fields` will ask for, by field name; their errors surface there. */
export function prefetch(uscc: string, fields: ReadonlySet<string>, loaders: ReadonlyMap<string, DataLoader<string, unknown>>): void {
  for (const name of fields) loaders.get(name)?.load(uscc).catch(() => {});
}
