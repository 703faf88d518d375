/**
 * Look-ahead: the fields a query selects below the field being resolved. A data source that
 * knows them asks for every table it will need in the turn it reads the enterprise itself, so
 * that they travel to the database as one statement ({@link Database.forRequest}) rather than
 * the lists one turn later, in a second.
 */
import type DataLoader from 'dataloader';
import { getNamedType, isCompositeType, type FieldNode, type GraphQLResolveInfo, type OperationDefinitionNode } from 'graphql';
import { fieldCompositeType, fieldsInScope, type SelectionContext } from '../../platform/graphql/selection.js';

/** By field node (the same objects while a cached document is executed), by path below it. */
const memo = new WeakMap<FieldNode, Map<string, ReadonlySet<string>>>();

/** The walker's context of an operation, by operation (the same object while a cached document is executed). */
const contexts = new WeakMap<OperationDefinitionNode, SelectionContext>();

/**
 * The names of the fields selected under the field being resolved, or under its subfield
 * `under` (`market` below `enterprise`), through fragments whatever type they are on. Every
 * branch of `@skip`/`@include` counts: a list a skipped field would have asked for is only
 * read for nothing, and the look-ahead stays one walk per document, whatever its variables.
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
    const context = contextOf(info);
    const type = getNamedType(info.returnType);
    for (const field of info.fieldNodes) {
      if (!field.selectionSet || !isCompositeType(type)) continue;
      for (const selected of fieldsInScope(context, type, field.selectionSet)) {
        if (!under) {
          found.add(selected.node.name.value);
          continue;
        }
        const below = selected.node.name.value === under && selected.node.selectionSet && fieldCompositeType(selected.type, under);
        if (below) for (const inner of fieldsInScope(context, below, selected.node.selectionSet)) found.add(inner.node.name.value);
      }
    }
    names = found;
    byPath.set(under, names);
  }
  return names;
}

/** The walker's context of the operation being executed: its fragments, every branch. */
function contextOf(info: GraphQLResolveInfo): SelectionContext {
  let context = contexts.get(info.operation);
  if (!context) {
    context = { schema: info.schema, fragments: new Map(Object.entries(info.fragments)) };
    contexts.set(info.operation, context);
  }
  return context;
}

/** Starts the loads of `uscc` that `fields` will ask for, by field name; their errors surface there. */
export function prefetch(uscc: string, fields: ReadonlySet<string>, loaders: ReadonlyMap<string, DataLoader<string, unknown>>): void {
  for (const name of fields)
    loaders
      .get(name)
      ?.load(uscc)
      .catch(() => {});
}
