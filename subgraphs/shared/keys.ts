/**
 * The gateway's request-signing key pair. In development it is generated on first run into the
 * data folder (never committed); in production the files are provisioned by the operator.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, randomBytes, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';

/** File names of the signing key pair inside a keys folder. */
export const SIGNING_KEY_FILE = 'gateway-signing.key';
export const SIGNING_PUBLIC_KEY_FILE = 'gateway-signing.pub';

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

/** Creates the gateway signing key pair in `dir` unless it is there already. */
export function ensureSigningKeys(dir: string): { created: boolean } {
  const privatePath = path.join(dir, SIGNING_KEY_FILE);
  const publicPath = path.join(dir, SIGNING_PUBLIC_KEY_FILE);
  if (existsSync(privatePath) && existsSync(publicPath)) return { created: false };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = generateKeyPairSync('ed25519');
  // Written under temporary names and renamed, so a reader never sees half a key.
  writeFileSync(`${privatePath}.tmp`, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(`${publicPath}.tmp`, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
  renameSync(`${publicPath}.tmp`, publicPath);
  renameSync(`${privatePath}.tmp`, privatePath);
  return { created: true };
}

/** Reads an Ed25519 private key (PKCS#8 PEM), with an error that names the file. */
export function readPrivateKey(file: string): KeyObject {
  return readKey(file, (pem) => createPrivateKey(pem), 'private');
}

/** Reads an Ed25519 public key (SPKI PEM), with an error that names the file. */
export function readPublicKey(file: string): KeyObject {
  return readKey(file, (pem) => createPublicKey(pem), 'public');
}

function readKey(file: string, make: (pem: string) => KeyObject, kind: string): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`cannot read the gateway signing ${kind} key at ${file}; run \`make keys\` or set its path`);
  }
  const key = make(pem);
  if (key.asymmetricKeyType !== 'ed25519') {
    throw new Error(`${file} holds a ${key.asymmetricKeyType} key; the gateway signs with Ed25519`);
  }
  return key;
}
