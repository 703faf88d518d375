import { describe, expect, it } from 'vitest';
import { outcomeOf } from './operationFacts.js';

describe('the outcome an access-log record gives an operation', () => {
  it.each([
    // executed: what it produced decides
    [true, 200, { a: 1 }, 0, 'ok'],
    [true, 200, { a: null }, 1, 'partial'],
    [true, 200, null, 1, 'error'],
    [true, 400, undefined, 1, 'error'],
    // not executed: the gateway's own refusal, or its failure
    [false, 400, undefined, 1, 'refused'],
    [false, 200, undefined, 1, 'refused'],
    [false, 500, undefined, 1, 'error'],
    [false, 503, { a: 1 }, 0, 'error'],
    [false, 200, { a: 1 }, 0, 'ok'],
    [false, 200, { a: 1 }, 2, 'partial'],
  ] as const)('executed %s, status %i, data %j, %i errors: %s', (executed, status, data, errors, outcome) => {
    expect(outcomeOf(executed, status, data, errors)).toBe(outcome);
  });
});
