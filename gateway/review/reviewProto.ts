/**
 * The joint review's gRPC contract (protos/meg/review/v1/review_service.proto) as the server and
 * its clients (tests, bench) load it. Its TypeScript types are generated from the same file by
 * `make proto-types` into gateway/generated/proto, with the options below (the Makefile's
 * PROTO_TYPE_OPTIONS): a change to one is a change to the other.
 */
import path from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { projectRoot } from '../../platform/config/projectRoot.js';
import type { ProtoGrpcType } from '../generated/proto/review_service.js';
import type { ProtoGrpcType as EventsProtoGrpcType } from '../generated/proto/credit_event_service.js';

/** The fully qualified name of the service. */
export const JOINT_REVIEW_SERVICE = 'meg.review.v1.JointReviewService';

/** The credit events' service, served on the same port (protos/meg/events/v1). */
export const CREDIT_EVENT_SERVICE = 'meg.events.v1.CreditEventService';

/** The credit events' contract's file. */
export const EVENTS_PROTO = path.join(projectRoot, 'protos/meg/events/v1/credit_event_service.proto');

/** Proto-loader options shared by the server and its clients (tests, tools). */
export const PROTO_OPTIONS: protoLoader.Options = {
  keepCase: false,
  longs: String,
  enums: String,
  defaults: true,
  oneofs: true,
  includeDirs: [path.join(projectRoot, 'protos')],
};

/** The review contract's file. */
export const REVIEW_PROTO = path.join(projectRoot, 'protos/meg/review/v1/review_service.proto');

/** The review contract, loaded: its package definition (for reflection) and its typed services. */
export interface ReviewProto {
  readonly definition: protoLoader.PackageDefinition;
  readonly proto: ProtoGrpcType;
}

/** Loads the review contract with {@link PROTO_OPTIONS}. */
export function loadReviewProto(): ReviewProto {
  const definition = protoLoader.loadSync(REVIEW_PROTO, PROTO_OPTIONS);
  // grpc-js types what it builds from any contract as a GrpcObject, a tree of names it cannot
  // know; ProtoGrpcType is that tree for this contract with these options. The one cast of the
  // gRPC layer, and TypeScript allows it only through unknown.
  return { definition, proto: grpc.loadPackageDefinition(definition) as unknown as ProtoGrpcType };
}

/** The credit events' contract, loaded with {@link PROTO_OPTIONS}. */
export function loadEventsProto(): { readonly definition: protoLoader.PackageDefinition; readonly proto: EventsProtoGrpcType } {
  const definition = protoLoader.loadSync(EVENTS_PROTO, PROTO_OPTIONS);
  return { definition, proto: grpc.loadPackageDefinition(definition) as unknown as EventsProtoGrpcType };
}
