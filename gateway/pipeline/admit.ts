/**
 * Step 2, admit: authenticate the caller (its token and declared purpose) and take from its rate
 * limit. A request refused here is recorded (who is unknown, so where from), and refusals are
 * themselves limited per address, so that they cannot become an unmetered write path.
 */
import { rateLimitRefusals } from '../../platform/observability/metrics.js';
import type { AuditRecorder } from '../audit/auditRecorder.js';
import type { Authenticated, Refused } from '../auth/authenticate.js';
import type { Principal } from '../policy/accessPolicy.js';
import type { BucketSettings, RateDecision, RateLimiter } from '../rateLimit.js';
import { errorAnswer, type Answer, type Exchange } from './exchange.js';
import type { ArrivedOperation } from './readRequest.js';

/** The rate limits: per token holder, per public address, and on refusals per address. */
export interface RateLimits {
  readonly principal: BucketSettings;
  readonly public: BucketSettings;
  readonly refused: BucketSettings;
}

/** Takes from a caller's rate limit: token holders by subject, the public by address. */
export function takeRate(limiter: RateLimiter, limits: RateLimits, principal: Principal, address: string | undefined): Promise<RateDecision> {
  return principal.public ? limiter.take(`public:${address ?? 'unknown'}`, limits.public) : limiter.take(`sub:${principal.agency ?? ''}:${principal.sub}`, limits.principal);
}

/** What admission needs. */
export interface AdmissionOptions {
  readonly authenticate: (headers: Readonly<Record<string, string | string[] | undefined>>) => Promise<Authenticated | Refused>;
  readonly limiter: RateLimiter;
  readonly limits: RateLimits;
  readonly recorder: AuditRecorder;
}

/** The admission step. */
export function admission(options: AdmissionOptions) {
  const { authenticate, limiter, limits, recorder } = options;
  const refusals = rateLimitRefusals();
  return async (exchange: Exchange, operation: ArrivedOperation): Promise<Authenticated | Answer> => {
    const { req, requestId } = exchange;
    const auth = await authenticate(req.headers);
    if (!auth.ok) {
      const address = req.socket.remoteAddress ?? 'unknown';
      const rate = await limiter.take(`refused:${address}`, limits.refused);
      if (!rate.allowed) {
        refusals.inc({ channel: 'graphql', bucket: 'refused' });
        return tooMany(rate, 'this address');
      }
      await recorder.refused({
        requestId,
        channel: 'graphql',
        principal: null,
        purpose: null,
        operationName: operation.operationName,
        operationHash: operation.operationHash,
        outcome: 'refused',
        detail: `${auth.code}: ${auth.message}`,
        address,
      });
      const headers: Record<string, string> = auth.status === 401 ? { 'www-authenticate': `Bearer error="invalid_token", error_description="${auth.message.replace(/"/g, "'")}"` } : {};
      return errorAnswer(auth.status, auth.code, auth.message, headers);
    }
    // The rate limiter's refusals are not recorded: a flood would write the log.
    const rate = await takeRate(limiter, limits, auth.principal, req.socket.remoteAddress);
    if (!rate.allowed) {
      refusals.inc({ channel: 'graphql', bucket: auth.principal.public ? 'public' : 'principal' });
      return tooMany(rate, auth.principal.public ? 'this address' : auth.principal.sub);
    }
    return auth;
  };
}

function tooMany(rate: RateDecision, who: string): Answer {
  return errorAnswer(429, 'RATE_LIMITED', `too many requests from ${who}; try again in ${rate.retryAfterSeconds} s`, { 'retry-after': String(rate.retryAfterSeconds) });
}
