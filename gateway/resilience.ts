/**
 * What keeps one failing agency from taking the gateway with it: a circuit breaker per subgraph
 * (stop asking an agency that keeps failing, try again by itself after a pause) and a retry
 * budget (queries may be retried, but retries never add more than a fraction of the load).
 */

/** Settings of {@link CircuitBreaker}. */
export interface BreakerOptions {
  /** Consecutive failures that open the circuit. */
  readonly failures: number;
  /** How long an open circuit refuses before letting one probe through. */
  readonly cooldownMs: number;
}

/**
 * Closed: requests go through. After `failures` consecutive failures it opens: requests are
 * refused at once for `cooldownMs`. Then one probe goes through (half-open): its success closes
 * the circuit, its failure opens it again.
 */
export class CircuitBreaker {
  private consecutiveFailures = 0;
  private openedAt: number | null = null;
  private probing = false;

  constructor(
    private readonly options: BreakerOptions,
    private readonly now: () => number = Date.now,
  ) {}

  /** The state, for metrics and readiness. */
  get state(): 'closed' | 'open' | 'half-open' {
    if (this.openedAt === null) return 'closed';
    return this.now() - this.openedAt >= this.options.cooldownMs ? 'half-open' : 'open';
  }

  /** Whether a request may go now; when it may, it must end with success() or failure(). */
  tryAcquire(): boolean {
    if (this.openedAt === null) return true;
    if (this.now() - this.openedAt < this.options.cooldownMs || this.probing) return false;
    this.probing = true;
    return true;
  }

  /** Milliseconds until an open circuit lets a probe through. */
  retryInMs(): number {
    return this.openedAt === null ? 0 : Math.max(0, this.options.cooldownMs - (this.now() - this.openedAt));
  }

  success(): void {
    this.consecutiveFailures = 0;
    this.openedAt = null;
    this.probing = false;
  }

  failure(): void {
    this.consecutiveFailures++;
    if (this.probing || this.consecutiveFailures >= this.options.failures) this.openedAt = this.now();
    this.probing = false;
  }

  /** A request that ended neither way (cancelled by its caller): frees the probe slot. */
  release(): void {
    this.probing = false;
  }
}

/**
 * Retries as a share of requests: every request deposits `ratio` of a retry, up to `max`
 * retries saved; a retry spends one. Under a wide outage retries stop, instead of multiplying
 * the load on an agency that is already failing.
 */
export class RetryBudget {
  // Thousandths of a retry, so that ten deposits of 0.1 make exactly one.
  private milli: number;
  private readonly depositMilli: number;
  private readonly maxMilli: number;

  constructor(ratio: number, max = 10) {
    this.depositMilli = Math.round(ratio * 1000);
    this.maxMilli = max * 1000;
    this.milli = this.maxMilli;
  }

  /** Counts one request. */
  deposit(): void {
    this.milli = Math.min(this.maxMilli, this.milli + this.depositMilli);
  }

  /** Takes one retry if the budget has it. */
  withdraw(): boolean {
    if (this.milli < 1000) return false;
    this.milli -= 1000;
    return true;
  }
}
