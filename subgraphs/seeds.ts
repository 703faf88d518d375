/** Every agency's seed slice, for the seeding command. */
import type { Agency } from './shared/agencies.js';
import type { AgencySeed } from './shared/seeding.js';
import { customsSeed } from './customs/seed.js';
import { marketSeed } from './market/seed.js';
import { socialSeed } from './social/seed.js';
import { taxSeed } from './tax/seed.js';

export const AGENCY_SEEDS: Record<Agency, AgencySeed> = {
  market: marketSeed,
  tax: taxSeed,
  social: socialSeed,
  customs: customsSeed,
};
