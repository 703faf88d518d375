/**
 * Prints an access token signed with the development issuer key, for local use and tests:
 *
 *   npm run -s token -- --agency TAX --roles officer --purposes JOINT_PUNISHMENT [--region 110000] [--ttl 1h] [--sub name]
 */
import path from 'node:path';
import { parseArgs } from 'node:util';
import { ensureTokenIssuerKeys, mintToken, TOKEN_ISSUER_KEY_FILE } from '../gateway/auth/tokens.js';
import { purposeValues } from '../platform/domain/commonSchema.js';
import { dataDirFrom } from '../platform/config/dataLocations.js';

const USAGE = 'usage: npm run -s token -- --agency TAX --roles officer --purposes JOINT_PUNISHMENT[,…] [--region 110000] [--ttl 1h] [--sub name]';

function fail(message: string): never {
  console.error(`token: ${message}\n${USAGE}`);
  process.exit(2);
}

let values: Record<string, string | undefined>;
try {
  ({ values } = parseArgs({
    options: {
      agency: { type: 'string' },
      roles: { type: 'string', default: '' },
      purposes: { type: 'string', default: '' },
      region: { type: 'string' },
      ttl: { type: 'string', default: '1h' },
      sub: { type: 'string' },
    },
  }));
} catch (error) {
  fail((error as Error).message);
}

const agency = values['agency'];
if (!agency || !/^[A-Z][A-Z0-9_]{1,47}$/.test(agency)) fail('--agency must be an upper-case code such as TAX or PROCUREMENT_CENTRE');
const list = (s: string | undefined) =>
  (s ?? '')
    .split(',')
    .map((x) => x.trim())
    .filter(Boolean);
const roles = list(values['roles']);
const purposes = list(values['purposes']);
const known = purposeValues();
for (const p of purposes) if (!known.includes(p)) fail(`"${p}" is not a purpose; choose from ${known.join(', ')}`);
const region = values['region'];
if (region !== undefined && !/^\d{6}$/.test(region)) fail('--region must be a six-digit GB/T 2260 code');
const ttl = /^(\d+)([smhd]?)$/.exec(values['ttl'] ?? '');
if (!ttl) fail('--ttl must be a number with s, m, h or d, e.g. 1h');
const ttlSeconds = Number(ttl[1]) * { '': 1, s: 1, m: 60, h: 3600, d: 86_400 }[ttl[2] as '' | 's' | 'm' | 'h' | 'd'];

const dir = path.join(dataDirFrom(process.env), 'keys');
ensureTokenIssuerKeys(dir);
const token = await mintToken(
  { sub: values['sub'] ?? `${agency.toLowerCase()}-dev-user`, agency, roles, purposes, ...(region ? { region } : {}) },
  { issuerKeyFile: path.join(dir, TOKEN_ISSUER_KEY_FILE), ttlSeconds },
);
console.log(token);
