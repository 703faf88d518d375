/** Picking enterprises of the test universe with the records a test needs. */
import { enterpriseAt, type EnterpriseIdentity } from '../../platform/domain/synthetic/universe.js';

/** The enterprises 0..size−1 of a seed. */
export function universe(seed: string, size: number): EnterpriseIdentity[] {
  return Array.from({ length: size }, (_, i) => enterpriseAt(seed, i));
}

/** The first enterprise that matches, or a failure naming what was looked for. */
export function firstWhere(all: readonly EnterpriseIdentity[], what: string, test: (e: EnterpriseIdentity) => boolean): EnterpriseIdentity {
  const found = all.find(test);
  if (!found) throw new Error(`the test universe has no enterprise that ${what}`);
  return found;
}
