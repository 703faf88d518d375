/**
 * The request-signing key pairs (X25519) of the gateway and of each agency, from which each pair
 * of them agrees its signing key (gatewaySignature.ts), and the key of the HASH mask. In
 * development they are generated on first run into the data folder (never committed); in
 * production each party generates its own pair and hands over only the public key.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { AGENCIES } from '../domain/agencies.js';

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
  for (const party of SIGNING_PARTIES) created = ensurePair(dir, signingKeyFile(party), signingPublicKeyFile(party), 'x25519') || created;
  return { created };
}

/** Creates a key pair of `type` under those names in `dir` unless both are there; true if it did. */
function ensurePair(dir: string, privateName: string, publicName: string, type: 'x25519' | 'ed25519'): boolean {
  const privatePath = path.join(dir, privateName);
  const publicPath = path.join(dir, publicName);
  if (existsSync(privatePath) && existsSync(publicPath)) return false;
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = type === 'x25519' ? generateKeyPairSync('x25519') : generateKeyPairSync('ed25519');
  // Written under temporary names and renamed, so a reader never sees half a key.
  writeFileSync(`${privatePath}.tmp`, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(`${publicPath}.tmp`, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
  renameSync(`${publicPath}.tmp`, publicPath);
  renameSync(`${privatePath}.tmp`, privatePath);
  return true;
}

/** File name of the gateway's audit anchor signing key (Ed25519) inside a keys folder. */
export const ANCHOR_KEY_FILE = 'audit-anchor.ed25519.key';
/** File name of its public key, which verifiers read. */
export const ANCHOR_PUBLIC_KEY_FILE = 'audit-anchor.ed25519.pub';

/**
 * Creates the pair that signs the access log's chain anchors (Ed25519) in `dir` unless it is
 * there: the gateway signs each chain's head with it, outside the log's store, so that records
 * cut off the end of a chain are found.
 */
export function ensureAnchorKeys(dir: string): { created: boolean } {
  return { created: ensurePair(dir, ANCHOR_KEY_FILE, ANCHOR_PUBLIC_KEY_FILE, 'ed25519') };
}

/** Reads an Ed25519 key (private PKCS#8 or public SPKI, PEM), with an error that names the file and what it is for. */
export function readEd25519Key(file: string, kind: 'private' | 'public', purpose: string): KeyObject {
  return readKey(file, (pem) => (kind === 'private' ? createPrivateKey(pem) : createPublicKey(pem)), kind, purpose, 'ed25519');
}

/** Reads a private signing key (X25519, PKCS#8 PEM), with an error that names the file. */
export function readPrivateKey(file: string): KeyObject {
  return readKey(file, (pem) => createPrivateKey(pem), 'private', 'request-signing', 'x25519');
}

/** Reads a public signing key (X25519, SPKI PEM), with an error that names the file. */
export function readPublicKey(file: string): KeyObject {
  return readKey(file, (pem) => createPublicKey(pem), 'public', 'request-signing', 'x25519');
}

function readKey(file: string, make: (pem: string) => KeyObject, kind: string, purpose: string, type: 'x25519' | 'ed25519'): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`cannot read the ${purpose} ${kind} key at ${file}; run \`make keys\` or set its path`);
  }
  let key: KeyObject;
  try {
    key = make(pem);
  } catch {
    throw new Error(`${file} does not hold a ${kind} key in PEM`);
  }
  if (key.asymmetricKeyType !== type) {
    throw new Error(`${file} holds a ${key.asymmetricKeyType} key; ${purpose} keys are ${type === 'x25519' ? 'X25519' : 'Ed25519'} (run \`make keys\` for development keys)`);
  }
  return key;
}
