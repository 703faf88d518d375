/**
 * A subgraph run inside the gateway's process (the joint review, the auditors' tools), the way
 * Apollo's LocalGraphQLDataSource runs a schema in-process: the query planner's fetch for it is
 * executed against its schema with the request's own scope as the resolvers' context. Nothing
 * goes over the network, so nothing needs signing, and the resolvers see the caller the gateway
 * authenticated and the audit scope of the very request they serve.
 *
 * The schema is composed into the supergraph like the agencies' (scripts/compose.ts), so its
 * fields are classified, decided and masked exactly as theirs.
 */
import type { GraphQLDataSource, GraphQLDataSourceProcessOptions } from '@apollo/gateway';
import type { GatewayGraphQLResponse } from '@apollo/server-gateway-interface';
import { buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import { parse } from 'graphql';
import { DateScalar, USCCScalar } from '../platform/domain/scalars.js';
import { SubgraphExecutor } from '../subgraphs/runtime/graphqlExecutor.js';

/** The URL an in-process subgraph has in the supergraph: none of the network's. */
export function localSubgraphUrl(name: string): string {
  return `local://${name}`;
}

/** A subgraph executed in the gateway's process, its resolvers given the request's scope `C`. */
export class LocalSubgraphSource<C extends object> implements GraphQLDataSource<C> {
  private readonly executor: SubgraphExecutor<C>;

  /** `sdl`: the subgraph's schema; `resolvers`: its resolvers (the shared scalars are added). */
  constructor(
    readonly name: string,
    sdl: string,
    resolvers: GraphQLResolverMap<C>,
  ) {
    this.executor = new SubgraphExecutor<C>(buildSubgraphSchema([{ typeDefs: parse(sdl), resolvers: { USCC: USCCScalar, Date: DateScalar, ...resolvers } as GraphQLResolverMap<unknown> }]));
  }

  async process(options: GraphQLDataSourceProcessOptions<C>): Promise<GatewayGraphQLResponse> {
    // The gateway serves a static supergraph: it neither loads schemas nor health-checks through sources.
    if (!('incomingRequestContext' in options)) throw new Error(`the ${this.name} subgraph runs in process; it is not asked for "${options.kind}"`);
    const { context } = options;
    const { query, variables, operationName } = options.request;
    const { result } = await this.executor.execute({ query, variables, operationName }, () => context);
    return result as GatewayGraphQLResponse;
  }
}
