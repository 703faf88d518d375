/**
 * The request-signing key pairs (X25519) of the gateway and of each agency, from which each pair
 * of them agrees its signing key (gatewaySignature.ts), and the key of the HASH mask. In
 * development they are generated on first run into the data folder (never committed); in
 * production each party generates its own pair and hands over only the public key.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AGENCIES } from './agencies.js';

/** The parties to request signing: the gateway and the agencies' subgraphs. */
export const SIGNING_PARTIES = ['gateway', ...AGENCIES] as const;

/** File name of a party's private signing key inside a keys folder. */
export const signingKeyFile = (party: (typeof SIGNING_PARTIES)[number]) => `${party}.x25519.key`;
/** File name of a party's public signing key inside a keys folder. */
export const signingPublicKeyFile = (party: (typeof SIGNING_PARTIES)[number]) => `${party}.x25519.pub`;

/** File name of the key of the HASH mask inside a keys folder. */
export const MASK_HASH_KEY_FILE = 'mask-hash.key';

/** Creates the HASH mask's key (32 random bytes) in `dir` unless it is there already. */
export function ensureMaskHashKey(dir: string): { created: boolean } {
  const file = path.join(dir, MASK_HASH_KEY_FILE);
  if (existsSync(file)) return { created: false };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  writeFileSync(`${file}.tmp`, randomBytes(32), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return { created: true };
}

/** Reads the HASH mask's key, refusing one too short to be a secret. */
export function readMaskHashKey(file: string): Buffer {
  let key: Buffer;
  try {
    key = readFileSync(file);
  } catch {
    throw new Error(`cannot read the masking hash key at ${file}; run \`make keys\` or set MEG_MASK_HASH_KEY`);
  }
  if (key.length < 16) throw new Error(`the masking hash key at ${file} is shorter than 16 bytes`);
  return key;
}

/** Creates the signing key pair of each party in `dir` unless it is there already. */
export function ensureSigningKeys(dir: string): { created: boolean } {
  let created = false;
  for (const party of SIGNING_PARTIES) {
    const privatePath = path.join(dir, signingKeyFile(party));
    const publicPath = path.join(dir, signingPublicKeyFile(party));
    if (existsSync(privatePath) && existsSync(publicPath)) continue;
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    const { privateKey, publicKey } = generateKeyPairSync('x25519');
    // Written under temporary names and renamed, so a reader never sees half a key.
    writeFileSync(`${privatePath}.tmp`, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(`${publicPath}.tmp`, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
    renameSync(`${publicPath}.tmp`, publicPath);
    renameSync(`${privatePath}.tmp`, privatePath);
    created = true;
  }
  return { created };
}

/** Reads a private signing key (X25519, PKCS#8 PEM), with an error that names the file. */
export function readPrivateKey(file: string): KeyObject {
  return readKey(file, (pem) => createPrivateKey(pem), 'private');
}

/** Reads a public signing key (X25519, SPKI PEM), with an error that names the file. */
export function readPublicKey(file: string): KeyObject {
  return readKey(file, (pem) => createPublicKey(pem), 'public');
}

function readKey(file: string, make: (pem: string) => KeyObject, kind: string): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`cannot read the request-signing ${kind} key at ${file}; run \`make keys\` or set its path`);
  }
  let key: KeyObject;
  try {
    key = make(pem);
  } catch {
    throw new Error(`${file} does not hold a ${kind} key in PEM`);
  }
  if (key.asymmetricKeyType !== 'x25519') {
    throw new Error(`${file} holds a ${key.asymmetricKeyType} key; request-signing keys are X25519 (run \`make keys\` for development keys)`);
  }
  return key;
}
