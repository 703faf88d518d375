/** The attack battery of `make reliability`, run in `make test` too: every attack is refused. */
import { describe, expect, inject, it } from 'vitest';
import { runAttacks } from '../support/attacks.js';
import { universe } from '../support/universe.js';

const federation = inject('federation');

describe('the attack battery', () => {
  it('is refused in every kind, each attack with the refusal it should get', async () => {
    const tally = await runAttacks(federation, universe(federation.seed, 1)[0]!.uscc);
    expect(Object.keys(tally).sort()).toEqual(['forged or invalid tokens', 'operations over the limits', 'requests around the gateway']);
    for (const [kind, t] of Object.entries(tally)) {
      expect({ kind, gotThrough: t.gotThrough }).toEqual({ kind, gotThrough: [] });
      expect(t.refused).toBe(t.tried);
    }
  }, 60_000);
});
