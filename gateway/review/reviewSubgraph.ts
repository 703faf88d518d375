/**
 * The joint review as GraphQL: a subgraph run inside the gateway's process (localSubgraph.ts) and
 * composed into the supergraph like the agencies', so `jointReview` is classified, decided and
 * audited like every other field. It reviews under the access policy of the request's caller,
 * and its fact queries are recorded in that request's record.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { GraphQLError } from 'graphql';
import { projectRoot } from '../../platform/config/projectRoot.js';
import { commonSdl } from '../../platform/domain/commonSchema.js';
import { checkCodeCount } from '../../platform/domain/codeLists.js';
import type { AuditScope } from '../audit/auditScope.js';
import { LocalSubgraphSource } from '../localSubgraph.js';
import type { Principal } from '../policy/accessPolicy.js';
import type { SubgraphWait } from '../subgraphFetcher.js';
import type { Resolvers } from '../generated/graphql/review/resolvers.js';
import type { Matter } from './reviewPolicy.js';
import type { ReviewService, RunOperation } from './reviewService.js';

/** The review subgraph's SDL: its schema.graphql and the shared definitions. */
export function reviewSubgraphSdl(): string {
  return `${readFileSync(path.join(projectRoot, 'gateway/review/schema.graphql'), 'utf8')}\n${commonSdl()}`;
}

/** Options of {@link reviewSubgraph}. */
export interface ReviewSubgraphOptions {
  readonly service: ReviewService;
  /** Runs a fact query through the gateway on behalf of the request the review serves. */
  readonly runAs: (onBehalfOf: ReviewContext) => RunOperation;
  /** How long a review may take before unanswered agencies count as unavailable. */
  readonly timeoutMs: number;
}

/** What the review's resolvers read of the request's scope (the gateway's RequestScope). */
export interface ReviewContext {
  readonly requestId: string;
  readonly principal: Principal;
  readonly purpose: string | null;
  /** The record of the request, where the fact queries' decisions and enterprises go. */
  readonly audit: AuditScope;
  readonly wait: SubgraphWait;
  /** Aborted when the request's client goes away or its deadline passes. */
  readonly signal: AbortSignal;
  /** The day the agencies' record is read as of (the review's day). */
  readonly recordDay?: string;
}

/** The review subgraph, run in the gateway's process with the request's scope as its context. */
export function reviewSubgraph(options: ReviewSubgraphOptions): LocalSubgraphSource<ReviewContext> {
  const review = (codes: string[], matter: Matter, asOf: string | null | undefined, scope: ReviewContext) => {
    checkCodeCount(codes);
    if (!scope.principal.agency) throw new GraphQLError('the joint review is for government callers', { extensions: { code: 'FORBIDDEN' } });
    let day: string;
    try {
      day = options.service.dayOf(asOf);
    } catch (error) {
      throw new GraphQLError((error as Error).message.replace(/^as_of/, 'asOf'), { extensions: { code: 'BAD_USER_INPUT' } });
    }
    // The review's own deadline, or the request's, whichever comes first.
    const signal = AbortSignal.any([scope.signal, AbortSignal.timeout(options.timeoutMs)]);
    return options.service.review(codes, matter, day, options.runAs({ ...scope, recordDay: day }), signal);
  };
  const resolvers: Resolvers<ReviewContext> = {
    Query: {
      jointReview: async (_, args, scope) => (await review([args.uscc], args.matter, args.asOf, scope))[0] ?? null,
      jointReviewBatch: (_, args, scope) => review([...args.uscc], args.matter, args.asOf, scope),
    },
  };
  return new LocalSubgraphSource<ReviewContext>('review', reviewSubgraphSdl(), resolvers);
}
