/** Real grpc-js clients of the JointReviewService and the CreditEventService, for tests. */
import * as grpc from '@grpc/grpc-js';
import type { AgencyFinding__Output } from '../../gateway/generated/proto/meg/review/v1/AgencyFinding.js';
import type { JointReviewServiceClient } from '../../gateway/generated/proto/meg/review/v1/JointReviewService.js';
import type { ReviewBatchRequest } from '../../gateway/generated/proto/meg/review/v1/ReviewBatchRequest.js';
import type { ReviewEvent__Output } from '../../gateway/generated/proto/meg/review/v1/ReviewEvent.js';
import type { ReviewRequest } from '../../gateway/generated/proto/meg/review/v1/ReviewRequest.js';
import type { Verdict__Output } from '../../gateway/generated/proto/meg/review/v1/Verdict.js';
import { loadEventsProto, loadReviewProto } from '../../gateway/review/reviewProto.js';
import type { CreditEvent__Output } from '../../gateway/generated/proto/meg/events/v1/CreditEvent.js';
import type { CreditEventServiceClient } from '../../gateway/generated/proto/meg/events/v1/CreditEventService.js';
import type { WatchRequest } from '../../gateway/generated/proto/meg/events/v1/WatchRequest.js';
import { headersFor, type Caller } from './callers.js';
import type { FederationInfo } from './federation.js';

const { proto } = loadReviewProto();

/** A client of the JointReviewService at `address`. */
export function reviewClient(address: string): JointReviewServiceClient {
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
  readonly events: ReviewEvent__Output[];
  /** When each event arrived, in milliseconds since the call started (`performance.now()`), beside `events`. */
  readonly arrivedMs: number[];
  readonly status: { code: grpc.status; details: string };
  readonly elapsedMs: number;
  /** The request id the server gave the call (initial metadata `x-request-id`). */
  readonly requestId: string | null;
}

/** Runs a Review call to the end. */
export function review(client: JointReviewServiceClient, request: ReviewRequest, metadata: grpc.Metadata, deadlineMs = 10_000): Promise<StreamResult> {
  const started = performance.now();
  return new Promise((resolve) => {
    const events: ReviewEvent__Output[] = [];
    const arrivedMs: number[] = [];
    let requestId: string | null = null;
    const call = client.Review(request, metadata, { deadline: Date.now() + deadlineMs });
    call.on('metadata', (m: grpc.Metadata) => (requestId = (m.get('x-request-id')[0] as string | undefined) ?? null));
    call.on('data', (event: ReviewEvent__Output) => {
      events.push(event);
      arrivedMs.push(performance.now() - started);
    });
    call.on('status', (status: grpc.StatusObject) => resolve({ events, arrivedMs, status, elapsedMs: performance.now() - started, requestId }));
    call.on('error', () => {});
  });
}

/** The verdict a Review stream ended with; throws (failing the test) when it did not end with one. */
export function verdictOf(result: StreamResult): Verdict__Output {
  const verdict = result.events.at(-1)?.verdict;
  if (!verdict) throw new Error(`the stream did not end with a verdict (${result.status.code}: ${result.status.details})`);
  return verdict;
}

/** The findings a Review stream delivered, in the order they came. */
export function findingsOf(result: StreamResult): AgencyFinding__Output[] {
  return result.events.flatMap((e) => (e.finding ? [e.finding] : []));
}

/** The finding of `agency` (`AGENCY_TAX`, ...) a Review stream delivered; throws when there is none. */
export function findingOf(result: StreamResult, agency: string): AgencyFinding__Output {
  const finding = findingsOf(result).find((f) => f.agency === agency);
  if (!finding) throw new Error(`the stream delivered no finding of ${agency}`);
  return finding;
}

/** Runs a ReviewBatch call. */
export function reviewBatch(
  client: JointReviewServiceClient,
  request: ReviewBatchRequest,
  metadata: grpc.Metadata,
  deadlineMs = 30_000,
): Promise<{ verdicts?: Verdict__Output[]; error?: grpc.ServiceError }> {
  return new Promise((resolve) => {
    client.ReviewBatch(request, metadata, { deadline: Date.now() + deadlineMs }, (error, response) =>
      resolve(error || response === undefined ? { error: error ?? undefined } : { verdicts: response.verdicts }),
    );
  });
}

const events = loadEventsProto().proto;

/** A client of the CreditEventService at `address`. */
export function eventsClient(address: string): CreditEventServiceClient {
  return new events.meg.events.v1.CreditEventService(address, grpc.credentials.createInsecure());
}

/** A Watch call collecting what it receives. */
export interface Watching {
  readonly received: CreditEvent__Output[];
  /** Resolves with the call's status once it ends (cancelled by {@link Watching.cancel} or failed). */
  readonly ended: Promise<grpc.StatusObject>;
  cancel(): void;
}

/** Starts a Watch call as `metadata` says and collects its events. */
export function watch(client: CreditEventServiceClient, request: WatchRequest, metadata: grpc.Metadata): Watching {
  const call = client.watch(request, metadata);
  const received: CreditEvent__Output[] = [];
  call.on('data', (event: CreditEvent__Output) => received.push(event));
  const ended = new Promise<grpc.StatusObject>((resolve) => {
    call.on('status', resolve);
    call.on('error', () => undefined);
  });
  return { received, ended, cancel: () => call.cancel() };
}
