/** The checks every write's input goes through: every problem at once, each at its input path. */
import { GraphQLError } from 'graphql';
import { describe, expect, it } from 'vitest';
import { InputChecks, uniqueViolation } from './writes.js';

function problemsOf(run: () => void): { path: string; message: string }[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(GraphQLError);
    expect((error as GraphQLError).extensions['code']).toBe('BAD_USER_INPUT');
    return (error as GraphQLError).extensions['problems'] as { path: string; message: string }[];
  }
  return [];
}

describe('InputChecks', () => {
  it('names every problem at its path, at once', () => {
    const problems = problemsOf(() =>
      new InputChecks('2026-12-02')
        .text('decision.legalBasis', '   ')
        .text('input.title', 'x'.repeat(201), 200)
        .notFuture('decision.decidedOn', '2026-12-03')
        .notBefore('input.publishedOn', '2026-01-01', '2026-02-01', 'the decision of')
        .amount('input.amount', -5)
        .amount('input.fine', Number.POSITIVE_INFINITY)
        .integer('input.months', 0, 1, 600)
        .entryVersion('input.entry', { entryId: 'not-a-uuid', version: 0 })
        .orThrow(),
    );
    expect(problems).toEqual([
      { path: 'decision.legalBasis', message: 'is required' },
      { path: 'input.title', message: 'is 201 characters long: at most 200' },
      { path: 'decision.decidedOn', message: '2026-12-03 is in the future (today is 2026-12-02)' },
      { path: 'input.publishedOn', message: '2026-01-01 is before the decision of 2026-02-01' },
      { path: 'input.amount', message: 'must not be negative (-5)' },
      { path: 'input.fine', message: 'must be a finite number' },
      { path: 'input.months', message: 'must be a whole number from 1 to 600, not 0' },
      { path: 'input.entry.entryId', message: '"not-a-uuid" is not an entry id' },
      { path: 'input.entry.version', message: 'must be a whole number from 1 to 2147483647, not 0' },
    ]);
  });

  it('lets good input through, today and absent optional values included', () => {
    expect(
      problemsOf(() =>
        new InputChecks('2026-12-02')
          .text('input.basis', '虚假宣传')
          .notFuture('decision.decidedOn', '2026-12-02')
          .notFuture('input.publishedOn', null)
          .amount('input.amount', 0)
          .entryVersion('input.supersedes', null)
          .entryVersion('input.entry', { entryId: '0b7e8c5e-4c5e-4a0e-9a51-0f8e6b3c2d11', version: 3 })
          .orThrow(),
      ),
    ).toEqual([]);
  });
});

describe('uniqueViolation', () => {
  it('tells a unique violation on the named constraint from any other error', () => {
    expect(uniqueViolation({ code: '23505', constraint: 'credit_writes_recorded_by_idempotency_key_key' }, 'idempotency_key')).toBe(true);
    expect(uniqueViolation({ code: '23505', message: 'duplicate key value violates unique constraint "credit_writes_authority_document_no_key"' }, 'document_no')).toBe(true);
    expect(uniqueViolation({ code: '23505', constraint: 'credit_writes_authority_document_no_key' }, 'idempotency_key')).toBe(false);
    expect(uniqueViolation({ code: '23503', constraint: 'x_idempotency_key' }, 'idempotency_key')).toBe(false);
    expect(uniqueViolation(null, 'idempotency_key')).toBe(false);
  });
});
