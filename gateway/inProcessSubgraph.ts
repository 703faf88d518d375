/**
 * A subgraph served inside the gateway process (the joint review, the auditors' tools): its own
 * Apollo subgraph schema behind the same signed-request HTTP front as the agencies' subgraphs, so
 * the gateway reaches it, and decides and records its fields, exactly as it does theirs.
 */
import { buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import { parse } from 'graphql';
import type { CallerContext, SignatureVerifier } from '../platform/trust/gatewaySignature.js';
import { SubgraphExecutor } from '../subgraphs/runtime/graphqlExecutor.js';
import { DateScalar, USCCScalar } from '../platform/domain/scalars.js';
import { serveSignedGraphQL } from '../subgraphs/runtime/subgraphServer.js';

/** How an in-process subgraph is made. */
export interface InProcessSubgraphOptions<C extends object> {
  readonly name: string;
  readonly sdl: string;
  /** Resolvers; the shared scalars are added. */
  readonly resolvers: GraphQLResolverMap<C>;
  readonly host: string;
  readonly port: number;
  /** A cluster worker's own port (see listen). */
  readonly exclusive?: boolean;
  readonly verifier: SignatureVerifier;
  readonly contextFor: (caller: CallerContext) => C;
}

/** Starts an in-process subgraph; `stop` closes its server. */
export async function startInProcessSubgraph<C extends object>(options: InProcessSubgraphOptions<C>): Promise<{ url: string; stop(): Promise<void> }> {
  const executor = new SubgraphExecutor<C>(
    buildSubgraphSchema([
      { typeDefs: parse(options.sdl), resolvers: { USCC: USCCScalar, Date: DateScalar, ...options.resolvers } as GraphQLResolverMap<unknown> },
    ]),
  );
  const served = await serveSignedGraphQL({
    name: options.name,
    host: options.host,
    port: options.port,
    exclusive: options.exclusive ?? false,
    executor,
    verifier: options.verifier,
    contextFor: options.contextFor,
    readiness: async () => ({ ready: true, detail: { subgraph: options.name } }),
  });
  return {
    url: served.url,
    async stop() {
      await served.stop();
    },
  };
}
