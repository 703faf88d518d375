/** The operation limits (limits.ts) and the introspection rule, in Apollo Server's request pipeline. */
import type { ApolloServerPlugin } from '@apollo/server';
import { enforceLimits, introspectionRefused, type OperationLimits } from './limits.js';
import type { RequestScope } from './pipeline/requestScope.js';

/** Refuses, before planning, an operation over a limit or an introspection by a caller not allowed it. */
export function operationLimitsPlugin(limits: OperationLimits, catalogueSize: number): ApolloServerPlugin<RequestScope> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request, contextValue }) {
          if (contextValue.internal || !operation) return;
          const measure = enforceLimits(schema, document, operation, request.variables, limits, { catalogueSize });
          if (measure.introspection && contextValue.principal.public) throw introspectionRefused();
        },
      };
    },
  };
}
