/** The attack battery of `make reliability`, run in `make test` too: every attack is refused. */
import { describe, expect, inject, it } from 'vitest';
import { runAttacks } from '../support/attacks.js';
import { universe } from '../support/universe.js';

const federation = inject('federation');

describe('the attack battery', () => {
  it('is refused in every kind, each attack with the refusal it should get', async () => {
    const tally = await runAttacks(federation, universe(federation.seed, 1)[0]!.uscc);
    expect(Object.keys(tally).sort()).toEqual([
      'a second writer on the access log',
      'audit records that miss or invent',
      'calls out of the product',
      'driver messages to callers',
      'forged or invalid tokens',
      'operations over the limits',
      'readiness that says the wrong thing',
      'refusals as a write path',
      'requests around the gateway',
      'small requests that cost a lot',
      'tools and doors granted on a role alone',
      'values through cursors',
      'verdicts on facts the caller never saw',
    ]);
    for (const [kind, t] of Object.entries(tally)) {
      expect({ kind, gotThrough: t.gotThrough }).toEqual({ kind, gotThrough: [] });
      expect(t.refused).toBe(t.tried);
    }
  }, 300_000);
});
