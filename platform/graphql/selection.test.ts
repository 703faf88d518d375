import { buildSchema, Kind, parse, print, type FieldNode, type GraphQLCompositeType, type InlineFragmentNode, type OperationDefinitionNode, type SelectionSetNode } from 'graphql';
import { describe, expect, it } from 'vitest';
import { collectFields, fieldsInScope, fragmentApplies, fragmentType, isIncluded, operationVariables, runtimeType, selectionContext, walkSelections, type SelectionContext } from './selection.js';

const schema = buildSchema(`
  interface Party { name: String }
  type Person implements Party { name: String idNumber: String }
  type Company implements Party { name: String uscc: String staff: [Person] }
  union Holder = Person | Company
  input Filter { region: String = "3502" }
  type Query { party: Party holder: Holder company: Company search(filter: Filter): [Company] }
`);

const type = (name: string) => schema.getType(name) as GraphQLCompositeType;

describe('collecting the fields of a selection set', () => {
  it('collects the fields of named and inline fragments, nested, in the place of each', () => {
    expect(collected('Company', '{ uscc ...A ... on Company { name } } fragment A on Company { ...B } fragment B on Company { staff { name } }')).toEqual({
      uscc: ['uscc'],
      staff: ['staff {\n  name\n}'],
      name: ['name'],
    });
  });

  it('opens a fragment spread twice, or reached twice through a diamond, once', () => {
    const query = '{ ...A ...B ...A } fragment A on Company { ...C } fragment B on Company { ...C name } fragment C on Company { uscc }';
    expect(collected('Company', query)).toEqual({ uscc: ['uscc'], name: ['name'] });
  });

  it('merges the fields of one response key in the order they are written, under the place of the first', () => {
    expect(collected('Company', '{ name uscc ...A staff { name } } fragment A on Company { name staff { idNumber } }')).toEqual({
      name: ['name', 'name'],
      uscc: ['uscc'],
      staff: ['staff {\n  idNumber\n}', 'staff {\n  name\n}'],
    });
  });

  it('keeps two aliases of one field apart, each under its alias', () => {
    expect(collected('Company', '{ a: name b: name name }')).toEqual({ a: ['a: name'], b: ['b: name'], name: ['name'] });
  });

  it('merges the subfields of every node of one response key, as the executor does for the next level', () => {
    const operation = parse('{ company { uscc } company { name ...S } } fragment S on Company { uscc }');
    const context = selectionContext(schema, operation);
    const nodes = collectFields(context, type('Query'), operationOf(operation).selectionSet).get('company')!;
    expect(
      printed(
        collectFields(
          context,
          type('Company'),
          nodes.map((node) => node.selectionSet),
        ),
      ),
    ).toEqual({ uscc: ['uscc', 'uscc'], name: ['name'] });
  });

  it('applies to an object the fragments on its type and on the interfaces and unions it belongs to', () => {
    const query = '{ __typename ... on Person { idNumber } ... on Party { name } ... on Holder { h: __typename } ... on Company { uscc } }';
    expect(collected('Person', query)).toEqual({ __typename: ['__typename'], idNumber: ['idNumber'], name: ['name'], h: ['h: __typename'] });
    expect(collected('Company', query)).toEqual({ __typename: ['__typename'], name: ['name'], h: ['h: __typename'], uscc: ['uscc'] });
  });

  it('applies to an abstract type whose member is not known only the fragments on that type or without a condition', () => {
    const query = '{ name ... on Person { idNumber } ... on Party { p: name } ... { q: name } }';
    expect(collected('Party', query)).toEqual({ name: ['name'], p: ['p: name'], q: ['q: name'] });
  });

  it('leaves out a fragment the document lacks or whose type the schema lacks', () => {
    expect(collected('Company', '{ ...Gone ... on Nowhere { name } uscc }')).toEqual({ uscc: ['uscc'] });
  });
});

describe('@skip and @include', () => {
  it('leave out @skip(if: true) and @include(if: false), and keep @skip(if: false) and @include(if: true)', () => {
    expect(collected('Company', '{ a: name @skip(if: true) b: name @skip(if: false) c: name @include(if: false) d: name @include(if: true) }', {})).toEqual({
      b: ['b: name @skip(if: false)'],
      d: ['d: name @include(if: true)'],
    });
  });

  it('read a variable the caller sent', () => {
    const query = 'query($on: Boolean!) { a: name @include(if: $on) b: name @skip(if: $on) }';
    expect(collected('Company', query, { on: true })).toEqual({ a: ['a: name @include(if: $on)'] });
    expect(collected('Company', query, { on: false })).toEqual({ b: ['b: name @skip(if: $on)'] });
  });

  it('read the default of a variable the caller did not send', () => {
    expect(collected('Company', 'query($on: Boolean = true) { a: name @include(if: $on) b: name @skip(if: $on) }', {})).toEqual({ a: ['a: name @include(if: $on)'] });
  });

  it('read a variable sent as false over its default of true', () => {
    expect(collected('Company', 'query($on: Boolean = true) { a: name @include(if: $on) b: name @skip(if: $on) }', { on: false })).toEqual({ b: ['b: name @skip(if: $on)'] });
  });

  it('leave a field out when either of the two on it does', () => {
    const query = 'query($skip: Boolean!, $include: Boolean!) { name @skip(if: $skip) @include(if: $include) }';
    const outcomes = [
      [false, true],
      [true, true],
      [false, false],
      [true, false],
    ].map(([skip, include]) => Object.keys(collected('Company', query, { skip, include })));
    expect(outcomes).toEqual([['name'], [], [], []]);
  });

  it('leave out what a fragment spread or an inline fragment they are on selects, and keep the same field selected elsewhere', () => {
    const query = 'query($no: Boolean = false) { ...A @skip(if: true) ... on Company @include(if: $no) { uscc } ... @include(if: true) { name } } fragment A on Company { staff { name } name }';
    expect(collected('Company', query, {})).toEqual({ name: ['name'] });
  });

  it('open a fragment spread later in the set when its first spread was left out', () => {
    expect(collected('Company', '{ ...A @skip(if: true) ...A } fragment A on Company { uscc }', {})).toEqual({ uscc: ['uscc'] });
  });

  it('leave out nothing in a context without variables: every branch is walked', () => {
    expect(collected('Company', 'query($on: Boolean!) { a: name @skip(if: true) b: name @include(if: $on) ...A @skip(if: true) } fragment A on Company { uscc }')).toEqual({
      a: ['a: name @skip(if: true)'],
      b: ['b: name @include(if: $on)'],
      uscc: ['uscc'],
    });
  });

  it('let a judge of results collect the fields their own directives leave out, but not what skipped fragments select', () => {
    const document = parse('{ name @skip(if: true) ...A @skip(if: true) } fragment A on Company { uscc }');
    const context = selectionContext(schema, document, operationOf(document), {});
    const fields = collectFields(context, type('Company'), operationOf(document).selectionSet, { withExcludedFields: true });
    expect(printed(fields)).toEqual({ name: ['name @skip(if: true)'] });
    expect(isIncluded(context, fields.get('name')![0]!)).toBe(false);
  });
});

describe('the fields written below a selection set, on the types they are written on', () => {
  it('open every fragment, whichever member of an abstract type it is for, with its type condition', () => {
    const document = parse('{ holder { __typename ... on Person { idNumber } ...C } } fragment C on Company { uscc ... on Party { name } }');
    const context = selectionContext(schema, document);
    const [holder] = fieldsInScope(context, type('Query'), operationOf(document).selectionSet);
    expect(scoped(fieldsInScope(context, type('Holder'), holder!.node.selectionSet!))).toEqual(['Holder.__typename', 'Person.idNumber', 'Company.uscc', 'Party.name']);
  });

  it('open a fragment once per walk, and leave out what the directives do when the variables are known', () => {
    const document = parse('query($show: Boolean = false) { ...Q a: company { ...C } b: company { ...C } } fragment Q on Query { party { name @include(if: $show) } } fragment C on Company { uscc }');
    const context = selectionContext(schema, document, operationOf(document), {});
    const opened = new Set<string>();
    const root = fieldsInScope(context, type('Query'), operationOf(document).selectionSet, { opened });
    expect(scoped(root)).toEqual(['Query.party', 'Query.company', 'Query.company']);
    expect(scoped(fieldsInScope(context, type('Party'), root[0]!.node.selectionSet!, { opened }))).toEqual([]);
    expect(scoped(fieldsInScope(context, type('Company'), root[1]!.node.selectionSet!, { opened }))).toEqual(['Company.uscc']);
    expect(scoped(fieldsInScope(context, type('Company'), root[2]!.node.selectionSet!, { opened }))).toEqual([]);
  });

  it('keep every field in a context without variables, and skip a fragment the document lacks', () => {
    const document = parse('{ company { name @skip(if: true) ...Gone ... on Nowhere { uscc } ... { uscc } } }');
    const context = selectionContext(schema, document);
    const [company] = fieldsInScope(context, type('Query'), operationOf(document).selectionSet);
    expect(scoped(fieldsInScope(context, type('Company'), company!.node.selectionSet!))).toEqual(['Company.name', 'Company.uscc']);
  });
});

describe('walking a document as written', () => {
  it('visits every field once with its type, each selection set, and each fragment once however often it is spread', () => {
    const document = parse('{ a: company { ...C staff { name } } b: company { ...C } party { ... on Person { idNumber } } } fragment C on Company { uscc }');
    const context = selectionContext(schema, document);
    const fields: string[] = [];
    const sets: string[] = [];
    walkSelections(context, type('Query'), operationOf(document).selectionSet, {
      field: (node, on) => void fields.push(`${on.name}.${node.name.value}`),
      selectionSet: (set, on) => void sets.push(`${on.name}(${set.selections.length})`),
    });
    expect(fields).toEqual(['Query.company', 'Company.uscc', 'Company.staff', 'Person.name', 'Query.company', 'Query.party', 'Person.idNumber']);
    expect(sets).toEqual(['Query(3)', 'Company(2)', 'Company(1)', 'Person(1)', 'Company(1)', 'Party(1)', 'Person(1)']);
  });

  it('stays out of the selection set of a field the visitor turns away, and of one the type does not have', () => {
    const document = parse('{ company { staff { name } uscc } party { name { first } } }');
    const context = selectionContext(schema, document);
    const fields: string[] = [];
    walkSelections(context, type('Query'), operationOf(document).selectionSet, {
      field: (node, on) => {
        fields.push(`${on.name}.${node.name.value}`);
        return node.name.value !== 'staff';
      },
    });
    expect(fields).toEqual(['Query.company', 'Company.staff', 'Company.uscc', 'Query.party', 'Party.name']);
  });
});

describe('the pieces the walks are made of', () => {
  it('coerce the variables by their definitions, with defaults, and take values that do not coerce as sent', () => {
    const operation = operationOf(parse('query($on: Boolean = true, $n: Int, $f: Filter = {}) { party { name } }'));
    expect(operationVariables(schema, operation, { n: 1 })).toEqual({ on: true, n: 1, f: { region: '3502' } });
    expect(operationVariables(schema, operation, { on: 'yes' })).toEqual({ on: 'yes', f: { region: '3502' } });
  });

  it('take the variables as given when there is no operation to coerce them by', () => {
    expect(selectionContext(schema, parse('{ party { name } }'), undefined, { on: true }).variables).toEqual({ on: true });
  });

  it('give a fragment the type it is written on, the parent for an inline fragment without a condition', () => {
    const document = parse('{ ... { name } ... on Person { name } ... on Nowhere { name } ... on Filter { region } }');
    const context = selectionContext(schema, document);
    const [bare, person, nowhere, input] = operationOf(document).selectionSet.selections as InlineFragmentNode[];
    expect([bare!, person!, nowhere!, input!].map((fragment) => fragmentType(context, fragment, type('Party'))?.name)).toEqual(['Party', 'Person', undefined, undefined]);
    expect([bare!, person!, nowhere!].map((fragment) => fragmentApplies(context, fragment, type('Company')))).toEqual([true, false, false]);
  });

  it('tell the member of an abstract type by __typename, only a member of that type', () => {
    const context = selectionContext(schema, parse('{ holder { __typename } }'));
    expect(runtimeType(context, type('Holder'), { __typename: 'Person' }).name).toBe('Person');
    expect(runtimeType(context, type('Holder'), { __typename: 'Query' }).name).toBe('Holder');
    expect(runtimeType(context, type('Holder'), {}).name).toBe('Holder');
    expect(runtimeType(context, type('Company'), { __typename: 'Person' }).name).toBe('Company');
  });
});

/** The fields the only operation of `query` collects on `typeName`, each printed, by response key. */
function collected(typeName: string, query: string, variables?: Record<string, unknown>): Record<string, string[]> {
  const document = parse(query);
  const operation = operationOf(document);
  const context: SelectionContext = selectionContext(schema, document, operation, variables);
  return printed(collectFields(context, type(typeName), operation.selectionSet));
}

function printed(fields: Map<string, FieldNode[]>): Record<string, string[]> {
  return Object.fromEntries([...fields].map(([key, nodes]) => [key, nodes.map((node) => print(node))]));
}

function scoped(fields: { type: GraphQLCompositeType; node: FieldNode }[]): string[] {
  return fields.map(({ type, node }) => `${type.name}.${node.name.value}`);
}

function operationOf(document: ReturnType<typeof parse>): OperationDefinitionNode & { selectionSet: SelectionSetNode } {
  return document.definitions.find((d): d is OperationDefinitionNode => d.kind === Kind.OPERATION_DEFINITION)!;
}
