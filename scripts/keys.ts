/**
 * Creates the development keys under the data folder, where missing: the request-signing pairs
 * of the gateway and of each agency, the token issuer's pair and the key of the HASH mask. Never
 * committed; in production each party provisions its own and the configuration points at them.
 */
import path from 'node:path';
import { ensureTokenIssuerKeys } from '../gateway/auth/tokens.js';
import { dataDirFrom } from '../platform/config/dataLocations.js';
import { ensureAnchorKeys, ensureMaskHashKey, ensureSigningKeys } from '../platform/trust/keys.js';

const dir = path.join(dataDirFrom(process.env), 'keys');
const created = [
  ensureSigningKeys(dir).created && 'request-signing pairs',
  ensureTokenIssuerKeys(dir).created && 'token issuer pair',
  ensureMaskHashKey(dir).created && 'masking hash key',
  ensureAnchorKeys(dir).created && 'audit anchor pair',
].filter(Boolean);
console.log(created.length > 0 ? `created in ${dir}: ${created.join(', ')}` : `development keys present in ${dir}`);
