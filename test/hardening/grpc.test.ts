/** The JointReviewService's own limits, tried from outside: deadlines and message sizes. */
import * as grpc from '@grpc/grpc-js';
import { describe, expect, inject, it } from 'vitest';
import { CALLERS } from '../support/callers.js';
import { metadataFor, reviewClient } from '../support/grpc.js';
import { universe } from '../support/universe.js';

const federation = inject('federation');
const uscc = universe(federation.seed, 1)[0]!.uscc;

function batch(request: unknown, metadata: grpc.Metadata, options: grpc.CallOptions): Promise<grpc.ServiceError | null> {
  const client = reviewClient(federation.grpcAddress);
  return new Promise((resolve) =>
    client.ReviewBatch(request, metadata, options, (error: grpc.ServiceError | null) => {
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
});
