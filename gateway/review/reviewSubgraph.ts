/**
 * The joint review as GraphQL: a subgraph served inside the gateway process (port 4005 by
 * default) and composed into the supergraph like the agencies', so `jointReview` is classified,
 * decided and audited like every other field. It answers only requests the gateway signed, and
 * reviews under the policy of the caller named in the signed context.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { GraphQLResolverMap } from '@apollo/subgraph';
import { GraphQLError } from 'graphql';
import { projectRoot } from '../../platform/config/projectRoot.js';
import { commonSdl } from '../../platform/domain/commonSchema.js';
import type { CallerContext, SignatureVerifier } from '../../platform/trust/gatewaySignature.js';
import { checkCodeCount } from '../../platform/domain/codeLists.js';
import { startInProcessSubgraph } from '../inProcessSubgraph.js';
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
  /** A cluster worker's own port (see listen). */
  readonly exclusive?: boolean;
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
    Query: {
      jointReview: async (_: unknown, args: { uscc: string; matter: Matter }, { caller }: ReviewContext) => (await review([args.uscc], args.matter, caller))[0],
      jointReviewBatch: (_: unknown, args: { uscc: string[]; matter: Matter }, { caller }: ReviewContext) => review(args.uscc, args.matter, caller),
    },
  };
  return startInProcessSubgraph<ReviewContext>({
    name: 'review',
    sdl: reviewSubgraphSdl(),
    resolvers,
    host: options.host,
    port: options.port,
    exclusive: options.exclusive ?? false,
    verifier: options.verifier,
    contextFor: (caller) => ({ caller }),
  });
}
