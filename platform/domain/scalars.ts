/** The scalars every subgraph shares: `USCC` and `Date`. */
import { GraphQLError, GraphQLScalarType, Kind, type ValueNode } from 'graphql';
import { checkUscc } from './uscc.js';

/** The `USCC` scalar: accepts only valid unified social credit codes, naming what is wrong otherwise. */
export const USCCScalar = new GraphQLScalarType<string, string>({
  name: 'USCC',
  description: 'A unified social credit code (GB 32100-2015).',
  serialize: (value) => {
    // Codes come from our own databases; one that fails the check is a data fault, not user input.
    if (typeof value !== 'string') throw new GraphQLError('USCC cannot represent a non-string value');
    return value;
  },
  parseValue: (value) => validUscc(value),
  parseLiteral: (ast: ValueNode) => {
    if (ast.kind !== Kind.STRING) {
      throw new GraphQLError(`a unified social credit code must be a string, not ${ast.kind.toLowerCase().replace('value', '')}`, {
        extensions: { code: 'INVALID_USCC' },
      });
    }
    return validUscc(ast.value);
  },
});

/** The `Date` scalar: ISO 8601 calendar dates. */
export const DateScalar = new GraphQLScalarType<string, string>({
  name: 'Date',
  description: 'A calendar date in ISO 8601 form (YYYY-MM-DD).',
  serialize: (value) => {
    if (typeof value === 'string') return value;
    if (value instanceof Date) return value.toISOString().slice(0, 10);
    throw new GraphQLError('Date cannot represent this value');
  },
  parseValue: (value) => validDate(value),
  parseLiteral: (ast) => validDate(ast.kind === Kind.STRING ? ast.value : undefined),
});

function validUscc(value: unknown): string {
  const problem = checkUscc(value);
  if (problem) {
    throw new GraphQLError(problem.message, {
      extensions: { code: 'INVALID_USCC', reason: problem.reason, ...(problem.position ? { position: problem.position } : {}) },
    });
  }
  return value as string;
}

function validDate(value: unknown): string {
  if (typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const d = new Date(`${value}T00:00:00Z`);
    if (!Number.isNaN(d.getTime()) && d.toISOString().startsWith(value)) return value;
  }
  throw new GraphQLError(`a Date is a calendar date written YYYY-MM-DD, not ${JSON.stringify(value)}`, {
    extensions: { code: 'INVALID_DATE' },
  });
}

/** The `Amount` scalar: yuan as a number (the gateway may replace it with a band string). */
export const AmountScalar = new GraphQLScalarType<number, number | string>({
  name: 'Amount',
  description: 'An amount in yuan; a band string where the policy masks it.',
  serialize: (value) => {
    const n = typeof value === 'string' ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isFinite(n)) throw new GraphQLError('Amount cannot represent this value');
    return n;
  },
  parseValue: (value) => {
    if (typeof value !== 'number' || !Number.isFinite(value)) {
      throw new GraphQLError(`an Amount is a number of yuan, not ${JSON.stringify(value)}`, { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return value;
  },
  parseLiteral: (ast) => {
    if (ast.kind !== Kind.INT && ast.kind !== Kind.FLOAT) {
      throw new GraphQLError('an Amount is a number of yuan', { extensions: { code: 'BAD_USER_INPUT' } });
    }
    return Number(ast.value);
  },
});
