import { describe, expect, it } from 'vitest';
import { CircuitBreaker, RetryBudget } from './resilience.js';

describe('circuit breaker', () => {
  it('opens after consecutive failures, lets one probe through after the pause, and closes on its success', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failures: 3, cooldownMs: 1000 }, () => now);
    for (let i = 0; i < 2; i++) {
      expect(breaker.tryAcquire()).toBe(true);
      breaker.failure();
    }
    expect(breaker.state).toBe('closed');
    breaker.tryAcquire();
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.tryAcquire()).toBe(false);
    expect(breaker.retryInMs()).toBe(1000);
    now = 1000;
    expect(breaker.state).toBe('half-open');
    expect(breaker.tryAcquire()).toBe(true); // the probe
    expect(breaker.tryAcquire()).toBe(false); // only one at a time
    breaker.success();
    expect(breaker.state).toBe('closed');
    expect(breaker.tryAcquire()).toBe(true);
  });

  it('opens again at once when the probe fails', () => {
    let now = 0;
    const breaker = new CircuitBreaker({ failures: 1, cooldownMs: 1000 }, () => now);
    breaker.tryAcquire();
    breaker.failure();
    now = 1500;
    expect(breaker.tryAcquire()).toBe(true);
    breaker.failure();
    expect(breaker.state).toBe('open');
    expect(breaker.retryInMs()).toBe(1000);
  });

  it('does not count failures that success interrupted', () => {
    const breaker = new CircuitBreaker({ failures: 2, cooldownMs: 1000 });
    breaker.failure();
    breaker.success();
    breaker.failure();
    expect(breaker.state).toBe('closed');
  });
});

describe('retry budget', () => {
  it('allows retries only as a share of requests once its reserve is spent', () => {
    const budget = new RetryBudget(0.1, 2);
    expect(budget.withdraw()).toBe(true);
    expect(budget.withdraw()).toBe(true);
    expect(budget.withdraw()).toBe(false);
    for (let i = 0; i < 9; i++) budget.deposit();
    expect(budget.withdraw()).toBe(false);
    budget.deposit();
    expect(budget.withdraw()).toBe(true);
  });
});
