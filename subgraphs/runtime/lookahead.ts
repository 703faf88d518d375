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
    const found = new Set<string>();
    const add = (field: FieldNode) => found.add(field.name.value);
    const below = (field: FieldNode) => {
      if (field.name.value === under) eachField(field.selectionSet, info, add);
    };
    for (const field of info.fieldNodes) eachField(field.selectionSet, info, under ? below : add);
    names = found;
    byPath.set(under, names);
  }
  return names;
}

/** Calls `visit` with each field of `selectionSet`, through inline fragments and fragment spreads. */
function eachField(selectionSet: SelectionSetNode | undefined, info: GraphQLResolveInfo, visit: (field: FieldNode) => unknown): void {
  for (const selection of selectionSet?.selections ?? []) {
    if (selection.kind === Kind.FIELD) visit(selection);
    else if (selection.kind === Kind.INLINE_FRAGMENT) eachField(selection.selectionSet, info, visit);
    else eachField(info.fragments[selection.name.value]?.selectionSet, info, visit);
  }
}

/** Starts the loads of `uscc` that `fields` will ask for, by field name; their errors surface there. */
export function prefetch(uscc: string, fields: ReadonlySet<string>, loaders: ReadonlyMap<string, DataLoader<string, unknown>>): void {
  for (const name of fields) loaders.get(name)?.load(uscc).catch(() => {});
}
