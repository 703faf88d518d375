/** Switches read from the environment: on, off, or a clear error (never a silent flip on a typo). */
import { describe, expect, it } from 'vitest';
import { ConfigurationError, onOffFrom } from './env.js';

describe('onOffFrom', () => {
  it('reads on and off, and the default when unset or empty', () => {
    expect(onOffFrom({ MEG_X: 'on' }, 'MEG_X', false)).toBe(true);
    expect(onOffFrom({ MEG_X: 'off' }, 'MEG_X', true)).toBe(false);
    expect(onOffFrom({}, 'MEG_X', true)).toBe(true);
    expect(onOffFrom({ MEG_X: '' }, 'MEG_X', false)).toBe(false);
  });

  it('refuses anything else, naming the variable and the value', () => {
    for (const value of ['of', 'OFF', 'false', '0', 'yes']) {
      expect(() => onOffFrom({ MEG_REQUIRE_GATEWAY_SIGNATURE: value }, 'MEG_REQUIRE_GATEWAY_SIGNATURE', true)).toThrow(ConfigurationError);
    }
    expect(() => onOffFrom({ MEG_ACCESS_LOG: 'of' }, 'MEG_ACCESS_LOG', true)).toThrow('MEG_ACCESS_LOG="of" must be on or off');
  });
});
