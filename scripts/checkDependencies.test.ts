import { describe, expect, it } from 'vitest';
import { compareVersions } from './checkDependencies.js';

describe('version comparison of the dependency check', () => {
  it.each([
    ['2.10.1', '2.10.1', 0],
    ['2.9.10', '2.10.1', -1],
    ['16.15.0', '16.8.1', 1],
    ['1.10.9-rc.1', '1.10.9', -1],
    ['8.17.1', '8.2.0', 1],
  ])('%s against %s', (a, b, expected) => expect(compareVersions(a, b)).toBe(expected));
});
