/**
 * The gateway validates the shared scalars itself, so that an invalid code is refused at the
 * edge with its reason and never travels to an agency. The supergraph only names the scalars;
 * their behaviour is installed into the API schema when the gateway loads it.
 */
import { isScalarType, type GraphQLSchema } from 'graphql';
import { DateScalar, USCCScalar } from '../platform/domain/scalars.js';

/** Gives the schema's `USCC` and `Date` scalars their parsing and validation. */
export function installScalars(schema: GraphQLSchema): void {
  for (const implementation of [USCCScalar, DateScalar]) {
    const type = schema.getType(implementation.name);
    if (!isScalarType(type)) throw new Error(`the supergraph has no scalar ${implementation.name}`);
    type.serialize = implementation.serialize;
    type.parseValue = implementation.parseValue;
    type.parseLiteral = implementation.parseLiteral;
  }
}
