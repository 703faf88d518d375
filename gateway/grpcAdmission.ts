/**
 * How a gRPC call is let in, whichever service it is for (the joint review, the credit events'
 * Watch): its request id sent back at once (`x-request-id`, as GraphQL answers carry it), the
 * caller's token and purpose from the call's metadata, authenticated as on GraphQL, the caller's
 * rate taken, and every refusal recorded in the access log — but for the rate limiter's own (a
 * flood would write the log), and, before the caller is known, no more than the per-address
 * refusal limit allows.
 */
import { createHash, randomUUID } from 'node:crypto';
import * as grpc from '@grpc/grpc-js';
import type { AuditRecorder } from './audit/auditRecorder.js';
import { AuditScope } from './audit/auditScope.js';
import { canonicalJson } from './audit/canonicalJson.js';
import type { Authenticated, Refused } from './auth/authenticate.js';
import type { Principal } from './policy/accessPolicy.js';
import type { RateDecision } from './rateLimit.js';

/** What letting a call in needs of the gateway. */
export interface CallAdmissionOptions {
  readonly authenticate: (headers: Record<string, string | undefined>) => Promise<Authenticated | Refused>;
  /** The caller's rate limit (refused calls are RESOURCE_EXHAUSTED). */
  readonly rateLimit: (principal: Principal) => Promise<RateDecision>;
  /** The limit on calls refused before authentication, per peer address (each refusal writes a record). */
  readonly refusalLimit: (peer: string) => Promise<RateDecision>;
  readonly recorder: AuditRecorder;
}

/** A call on its way in: its names in the access log, and its caller once known. */
export class CallAdmission {
  /** The call's names in the access log: its method, and its request message by canonical hash. */
  readonly operation: { readonly requestId: string; readonly channel: 'grpc'; readonly operationName: string; readonly operationHash: string; readonly audit: AuditScope };
  principal: Principal | null = null;
  purpose: string | null = null;
  private rateLimited = false;

  constructor(
    private readonly call: grpc.ServerUnaryCall<unknown, unknown> | grpc.ServerWritableStream<unknown, unknown>,
    private readonly options: CallAdmissionOptions,
    operationName: string,
  ) {
    const requestId = randomUUID();
    const initial = new grpc.Metadata();
    initial.set('x-request-id', requestId);
    call.sendMetadata(initial);
    this.operation = { requestId, channel: 'grpc', operationName, operationHash: createHash('sha256').update(canonicalJson(call.request)).digest('hex'), audit: new AuditScope() };
  }

  /**
   * Authenticates the call's token and purpose and takes the caller's rate; null when the caller
   * is in, else the status to refuse with (`what` names the service in the words of a refusal).
   */
  async authenticate(what: string): Promise<grpc.StatusObject | null> {
    const metadata = this.call.metadata.getMap();
    const headers: Record<string, string | undefined> = {
      authorization: typeof metadata['authorization'] === 'string' ? metadata['authorization'] : undefined,
      'x-purpose': typeof metadata['x-purpose'] === 'string' ? metadata['x-purpose'] : undefined,
    };
    if (headers.authorization === undefined) return callStatus(grpc.status.UNAUTHENTICATED, `${what} needs an access token in the authorization metadata`);
    const auth = await this.options.authenticate(headers);
    if (!auth.ok) {
      const code = auth.status === 401 ? grpc.status.UNAUTHENTICATED : auth.status === 403 ? grpc.status.PERMISSION_DENIED : grpc.status.INVALID_ARGUMENT;
      return callStatus(code, auth.message);
    }
    this.principal = auth.principal;
    this.purpose = auth.purpose;
    const rate = await this.options.rateLimit(auth.principal);
    if (!rate.allowed) {
      this.rateLimited = true;
      return callStatus(grpc.status.RESOURCE_EXHAUSTED, `too many requests from ${auth.principal.sub}; try again in ${rate.retryAfterSeconds} s`);
    }
    return null;
  }

  /** Records the refusal of the call (as its rules above say) and gives the status to answer with. */
  async refuse(refusal: { readonly code: grpc.status; readonly details: string }): Promise<grpc.StatusObject> {
    const { code, details } = refusal;
    if (this.rateLimited) return callStatus(code, details);
    let address: string | undefined;
    if (this.principal === null) {
      // Refused before authentication: limited per address, nothing named is recorded, and
      // the address is, since who called is unknown.
      address = peerAddress(this.call.getPeer());
      const rate = await this.options.refusalLimit(address);
      if (!rate.allowed) return callStatus(grpc.status.RESOURCE_EXHAUSTED, `too many refused calls from this address; try again in ${rate.retryAfterSeconds} s`);
    }
    await this.options.recorder.refused({
      ...this.operation,
      principal: this.principal,
      purpose: this.purpose,
      outcome: 'refused',
      detail: `${grpc.status[code]}: ${details}`,
      ...(address ? { address } : {}),
    });
    return callStatus(code, details);
  }
}

/** A status to end a call with. */
export function callStatus(code: grpc.status, details: string): grpc.StatusObject {
  return { code, details, metadata: new grpc.Metadata() };
}

/** The address of a peer as grpc-js names it (`ipv4:1.2.3.4:5678`, `ipv6:[::1]:5678`, `1.2.3.4:5678`). */
export function peerAddress(peer: string): string {
  const withoutScheme = peer.replace(/^ipv[46]:/, '');
  const bracketed = /^\[([^\]]+)\]/.exec(withoutScheme);
  if (bracketed) return bracketed[1]!;
  const i = withoutScheme.lastIndexOf(':');
  return i > 0 ? withoutScheme.slice(0, i) : withoutScheme;
}
