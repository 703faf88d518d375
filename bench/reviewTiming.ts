/**
 * The joint review's own time: calls at a fixed arrival rate, each timed from its
 * scheduled start to its status, against the time the gateway spent waiting on the agencies for
 * it (the `server-timing: subgraphs;dur=…` trailer a gateway started with MEG_SERVER_TIMING=on
 * sends). The review asks the four agencies in parallel, so that wait is the slowest agency's
 * latency as the gateway saw it; the target is a review within 10% of it.
 */
import * as grpc from '@grpc/grpc-js';
import type { ReviewBatchRequest } from '../gateway/generated/proto/meg/review/v1/ReviewBatchRequest.js';
import type { ReviewRequest } from '../gateway/generated/proto/meg/review/v1/ReviewRequest.js';
import { loadReviewProto } from '../gateway/review/reviewProto.js';

/** The call timed: Review (one code, streamed findings) or ReviewBatch (many codes, one answer). */
export type ReviewTimingCall = { readonly method: 'Review'; readonly request: ReviewRequest } | { readonly method: 'ReviewBatch'; readonly request: ReviewBatchRequest };

export interface ReviewTiming {
  readonly calls: number;
  readonly failed: number;
  readonly firstError?: string;
  /** End to end, at the client. */
  readonly meanMs: number;
  readonly p50Ms: number;
  readonly p95Ms: number;
  readonly p99Ms: number;
  /** The slowest agency as the gateway saw it (the subgraph wait of each call). */
  readonly agenciesMeanMs: number;
  readonly agenciesP50Ms: number;
  /** End to end less the agencies, per call. */
  readonly ownP50Ms: number;
  /** Mean end to end over mean agencies. */
  readonly overAgencies: number;
}

/** Reads `subgraphs;dur=<ms>` from a server-timing value. */
export function subgraphWaitOf(value: string | undefined): number | null {
  const match = /(?:^|,)\s*subgraphs;(?:[^,]*;)?\s*dur=([\d.]+)/.exec(value ?? '');
  return match ? Number(match[1]) : null;
}

/** Times `call` at `rate` calls a second for `seconds`. */
export async function measureReviewTiming(options: { address: string; metadata: Record<string, string>; call: ReviewTimingCall; rate: number; seconds: number }): Promise<ReviewTiming> {
  const { proto } = loadReviewProto();
  const client = new proto.meg.review.v1.JointReviewService(options.address, grpc.credentials.createInsecure());
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(options.metadata)) metadata.set(key, value);
  const totals: number[] = [];
  const waits: number[] = [];
  const owns: number[] = [];
  let failed = 0;
  let firstError: string | undefined;
  const one = (scheduled: number) =>
    new Promise<void>((resolve) => {
      const deadline = { deadline: Date.now() + 30_000 };
      const timed = options.call;
      const call = timed.method === 'Review' ? client.Review(timed.request, metadata, deadline) : client.ReviewBatch(timed.request, metadata, deadline, () => {});
      call.on('data', () => {});
      call.on('error', () => {});
      call.on('status', (status: grpc.StatusObject) => {
        const total = performance.now() - scheduled;
        const wait = subgraphWaitOf(status.metadata?.get('server-timing')[0]?.toString());
        if (status.code !== grpc.status.OK || wait === null) {
          failed++;
          firstError ??= status.code !== grpc.status.OK ? `${grpc.status[status.code]}: ${status.details}` : 'no server-timing trailer (is MEG_SERVER_TIMING on?)';
        } else {
          totals.push(total);
          waits.push(wait);
          owns.push(total - wait);
        }
        resolve();
      });
    });
  const started = performance.now();
  const count = Math.max(1, Math.round(options.rate * options.seconds));
  const calls: Promise<void>[] = [];
  for (let i = 0; i < count; i++) {
    const scheduled = started + (i * 1000) / options.rate;
    const delay = scheduled - performance.now();
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    calls.push(one(scheduled));
  }
  await Promise.all(calls);
  client.close();
  const mean = (xs: number[]) => (xs.length > 0 ? xs.reduce((a, b) => a + b, 0) / xs.length : 0);
  const pct = (xs: number[], p: number) => (xs.length > 0 ? [...xs].sort((a, b) => a - b)[Math.floor((xs.length - 1) * p)]! : 0);
  const p50 = (xs: number[]) => pct(xs, 0.5);
  const r = (n: number) => Math.round(n * 100) / 100;
  return {
    calls: count,
    failed,
    ...(firstError ? { firstError } : {}),
    meanMs: r(mean(totals)),
    p50Ms: r(p50(totals)),
    p95Ms: r(pct(totals, 0.95)),
    p99Ms: r(pct(totals, 0.99)),
    agenciesMeanMs: r(mean(waits)),
    agenciesP50Ms: r(p50(waits)),
    ownP50Ms: r(p50(owns)),
    overAgencies: mean(waits) > 0 ? r(mean(totals) / mean(waits)) : 0,
  };
}
