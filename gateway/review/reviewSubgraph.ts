/**
 * The joint review as GraphQL: a subgraph served inside the gateway process (port 4005 by
 * default) and composed into the supergraph like the agencies', so `jointReview` is classified,
 * decided and audited like every other field. It answers only requests the gateway signed, and
 * reviews under the policy of the caller named in the signed context.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { ApolloServer } from '@apollo/server';
import { ApolloServerPluginInlineTraceDisabled } from '@apollo/server/plugin/disabled';
import { buildSubgraphSchema, type GraphQLResolverMap } from '@apollo/subgraph';
import { GraphQLError, parse } from 'graphql';
import { commonSdl, projectRoot } from '../../subgraphs/shared/agencies.js';
import type { CallerContext, SignatureVerifier } from '../../subgraphs/shared/gatewaySignature.js';
import { DateScalar, USCCScalar } from '../../subgraphs/shared/scalars.js';
import { checkCodeCount, serveSignedGraphQL } from '../../subgraphs/shared/subgraphServer.js';
import type { Matter } from './reviewPolicy.js';
import type { ReviewService, RunOperation } from './reviewService.js';

/** The review subgraph's SDL: its schema.graphql and the shared definitions. */
export function reviewSubgraphSdl(): string {
  return `${readFileSync(path.join(projectRoot, 'gateway/review/schema.graphql'), 'utf8')}\n${commonSdl()}`;
}

/** Options of {@link startReviewSubgraph}. */
export interface ReviewSubgraphOptions {
  readonly host: string;
  readonly port: number;
  readonly verifier: SignatureVerifier;
  readonly service: ReviewService;
  /** Runs a fact query through the gateway as the caller of the signed context. */
  readonly runAs: (caller: CallerContext) => RunOperation;
  /** How long a review may take before unanswered agencies count as unavailable. */
  readonly timeoutMs: number;
}

interface ReviewContext {
  readonly caller: CallerContext;
}

/** Starts the review subgraph. */
export async function startReviewSubgraph(options: ReviewSubgraphOptions): Promise<{ url: string; stop(): Promise<void> }> {
  const review = (codes: string[], matter: Matter, caller: CallerContext) => {
    checkCodeCount(codes);
    if (!caller.agency) throw new GraphQLError('the joint review is for government callers', { extensions: { code: 'FORBIDDEN' } });
    return options.service.review(codes, matter, options.runAs(caller), AbortSignal.timeout(options.timeoutMs));
  };
  const resolvers: GraphQLResolverMap<ReviewContext> = {
    USCC: USCCScalar,
    Date: DateScalar,
    Query: {
      jointReview: async (_: unknown, args: { uscc: string; matter: Matter }, { caller }: ReviewContext) => (await review([args.uscc], args.matter, caller))[0],
      jointReviewBatch: (_: unknown, args: { uscc: string[]; matter: Matter }, { caller }: ReviewContext) => review(args.uscc, args.matter, caller),
    },
  };
  const apollo = new ApolloServer<ReviewContext>({
    schema: buildSubgraphSchema([{ typeDefs: parse(reviewSubgraphSdl()), resolvers: resolvers as GraphQLResolverMap<unknown> }]),
    csrfPrevention: true,
    includeStacktraceInErrorResponses: false,
    plugins: [ApolloServerPluginInlineTraceDisabled()],
  });
  await apollo.start();
  const served = await serveSignedGraphQL({
    name: 'review',
    host: options.host,
    port: options.port,
    apollo,
    verifier: options.verifier,
    contextFor: (caller) => ({ caller }),
    readiness: async () => ({ ready: true, detail: { subgraph: 'review' } }),
  });
  return {
    url: served.url,
    async stop() {
      await served.stop();
      await apollo.stop();
    },
  };
}
