/** Every agency's seed slice, for the seeding command. */
import type { Agency } from '../platform/domain/agencies.js';
import type { AgencySeed } from '../platform/db/seeding.js';
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
