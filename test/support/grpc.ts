/** A real grpc-js client of the JointReviewService, for tests. */
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { PROTO_OPTIONS, REVIEW_PROTO } from '../../gateway/review/grpcServer.js';
import { headersFor, type Caller } from './callers.js';
import type { FederationInfo } from './federation.js';

const definition = protoLoader.loadSync(REVIEW_PROTO, PROTO_OPTIONS);
const proto = grpc.loadPackageDefinition(definition) as any;

/** A client of the JointReviewService at `address`. */
export function reviewClient(address: string): grpc.Client & Record<string, any> {
  return new proto.meg.review.v1.JointReviewService(address, grpc.credentials.createInsecure());
}

/** Call metadata that makes a call come from `caller`. */
export async function metadataFor(federation: Pick<FederationInfo, 'keysDir'>, caller: Caller): Promise<grpc.Metadata> {
  const metadata = new grpc.Metadata();
  for (const [key, value] of Object.entries(await headersFor(federation, caller))) metadata.set(key, value);
  return metadata;
}

/** What a Review stream delivered, in order, and how it ended. */
export interface StreamResult {
  readonly events: any[];
  /** When each event arrived, in milliseconds since the call started (`performance.now()`), beside `events`. */
  readonly arrivedMs: number[];
  readonly status: { code: grpc.status; details: string };
  readonly elapsedMs: number;
  /** The request id the server gave the call (initial metadata `x-request-id`). */
  readonly requestId: string | null;
}

/** Runs a Review call to the end. */
export function review(client: any, request: { uscc: string; matter: string }, metadata: grpc.Metadata, deadlineMs = 10_000): Promise<StreamResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const events: any[] = [];
    const arrivedMs: number[] = [];
    let requestId: string | null = null;
    const call = client.Review(request, metadata, { deadline: Date.now() + deadlineMs });
    call.on('metadata', (m: grpc.Metadata) => (requestId = (m.get('x-request-id')[0] as string | undefined) ?? null));
    call.on('data', (event: any) => {
      events.push(event);
      arrivedMs.push(performance.now() - started);
    });
    call.on('status', (status: { code: grpc.status; details: string }) => resolve({ events, arrivedMs, status, elapsedMs: performance.now() - started, requestId }));
    call.on('error', () => {});
  });
}

/** Runs a ReviewBatch call. */
export function reviewBatch(client: any, request: { uscc: string[]; matter: string }, metadata: grpc.Metadata, deadlineMs = 30_000): Promise<{ verdicts?: any[]; error?: grpc.ServiceError }> {
  return new Promise((resolve) => {
    client.ReviewBatch(request, metadata, { deadline: Date.now() + deadlineMs }, (error: grpc.ServiceError | null, response: { verdicts: any[] }) =>
      resolve(error ? { error } : { verdicts: response.verdicts }),
    );
  });
}
