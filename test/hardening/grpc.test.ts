/** The JointReviewService's own limits, tried from outside: deadlines, message sizes and codes per batch. */
import * as grpc from '@grpc/grpc-js';
import { describe, expect, inject, it } from 'vitest';
import type { ReviewBatchRequest } from '../../gateway/generated/proto/meg/review/v1/ReviewBatchRequest.js';
import { CALLERS } from '../support/callers.js';
import { metadataFor, reviewBatch, reviewClient } from '../support/grpc.js';
import { universe } from '../support/universe.js';

const federation = inject('federation');
const uscc = universe(federation.seed, 1)[0]!.uscc;

function batch(request: ReviewBatchRequest, metadata: grpc.Metadata, options: grpc.CallOptions): Promise<grpc.ServiceError | null> {
  const client = reviewClient(federation.grpcAddress);
  return new Promise((resolve) =>
    client.ReviewBatch(request, metadata, options, (error) => {
      client.close();
      resolve(error);
    }),
  );
}

describe('gRPC limits', () => {
  it('refuses a call without a deadline, saying so', async () => {
    const error = await batch({ uscc: [uscc], matter: 'MATTER_GOVERNMENT_PROCUREMENT' }, await metadataFor(federation, CALLERS.procurement), {});
    expect(error?.code).toBe(grpc.status.INVALID_ARGUMENT);
    expect(error?.details).toMatch(/needs a deadline/);
    const withDeadline = await batch({ uscc: [uscc], matter: 'MATTER_GOVERNMENT_PROCUREMENT' }, await metadataFor(federation, CALLERS.procurement), { deadline: Date.now() + 10_000 });
    expect(withDeadline).toBeNull();
  });

  it('refuses a request message over 1 MiB before reading it', async () => {
    const huge = Array.from({ length: 70_000 }, () => uscc); // ~1.4 MB on the wire
    const error = await batch({ uscc: huge, matter: 'MATTER_GOVERNMENT_PROCUREMENT' }, await metadataFor(federation, CALLERS.procurement), { deadline: Date.now() + 10_000 });
    expect(error?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
  });

  it('reviews a batch of 5,000 codes, one verdict each in the order asked, and refuses 5,001 naming the limit', async () => {
    // The federation holds the first 2,000 of these; the rest are valid codes no agency knows.
    const codes = universe(federation.seed, 5_001).map((e) => e.uscc);
    const client = reviewClient(federation.grpcAddress);
    try {
      const metadata = await metadataFor(federation, CALLERS.procurement);
      const answered = await reviewBatch(client, { uscc: codes.slice(0, 5_000), matter: 'MATTER_GOVERNMENT_PROCUREMENT' }, metadata, 60_000);
      expect(answered.error).toBeUndefined();
      expect(answered.verdicts!.map((v) => v.uscc)).toEqual(codes.slice(0, 5_000));
      // Every agency answered for every code: no verdict is short of a finding or incomplete.
      const agencies = ['AGENCY_CUSTOMS', 'AGENCY_MARKET', 'AGENCY_SOCIAL', 'AGENCY_TAX'].join();
      const short = answered.verdicts!.filter(
        (v) =>
          v.outcome === 'OUTCOME_INCOMPLETE' ||
          v.findings
            .map((f: { agency: string }) => f.agency)
            .sort()
            .join() !== agencies,
      );
      expect(short.map((v) => v.uscc)).toEqual([]);
      // A code no agency knows is no registered entity, and is never let through.
      expect(answered.verdicts![4_999]).toMatchObject({ uscc: codes[4_999], outcome: 'OUTCOME_PROHIBIT' });

      const refused = await reviewBatch(client, { uscc: codes, matter: 'MATTER_GOVERNMENT_PROCUREMENT' }, metadata, 60_000);
      expect(refused.verdicts).toBeUndefined();
      expect(refused.error).toMatchObject({ code: grpc.status.INVALID_ARGUMENT, details: 'at most 5000 codes may be reviewed at once, not 5001' });
    } finally {
      client.close();
    }
  });
});
