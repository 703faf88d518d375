/** The operation limits (limits.ts) and the introspection rule, in Apollo Server's request pipeline. */
import type { ApolloServerPlugin } from '@apollo/server';
import { enforceLimits, introspectionRefused, type OperationLimits } from './limits.js';
import type { GatewayContext } from './server.js';

/**
 * Refuses, before planning, an operation over a limit or an introspection by a caller not allowed
 * it; notes the enterprises the operation names in the request's audit scope, refused or not.
 */
export function operationLimitsPlugin(limits: OperationLimits, catalogueSize: number): ApolloServerPlugin<GatewayContext> {
  return {
    async requestDidStart() {
      return {
        async didResolveOperation({ schema, document, operation, request, contextValue }) {
          if (contextValue.internal || !operation) return;
          const named = new Set<string>();
          try {
            const measure = enforceLimits(schema, document, operation, request.variables, limits, { catalogueSize, named });
            if (measure.introspection && contextValue.principal.public) throw introspectionRefused();
          } finally {
            contextValue.audit?.touch(named);
          }
        },
      };
    },
  };
}
