/**
 * Access tokens of callers: JWTs signed with ES256 by the token issuer (in development, a key
 * pair generated on first run under the data folder; in production, the ministry's identity
 * provider), verified by the gateway with the issuer's public key only. No key is ever fetched
 * from a URL named in a token.
 */
import { createPrivateKey, createPublicKey, generateKeyPairSync, type KeyObject } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { calculateJwkThumbprint, exportJWK, SignJWT } from 'jose';

/** File names of the development token-issuer key pair inside a keys folder. */
export const TOKEN_ISSUER_KEY_FILE = 'token-issuer.key';
export const TOKEN_ISSUER_PUBLIC_KEY_FILE = 'token-issuer.pub';

/** The only algorithm accepted: no `none`, no HMAC, no switching. */
export const TOKEN_ALGORITHM = 'ES256';
/** The JWT type of access tokens (RFC 9068), so an ID token or other JWT is not taken for one. */
export const TOKEN_TYPE = 'at+jwt';
/** Development defaults of issuer and audience. */
export const DEFAULT_TOKEN_ISSUER = 'meg-dev-issuer';
export const DEFAULT_TOKEN_AUDIENCE = 'market-entity-graph';

/** Creates the development token-issuer key pair in `dir` unless it is there already. */
export function ensureTokenIssuerKeys(dir: string): { created: boolean } {
  const privatePath = path.join(dir, TOKEN_ISSUER_KEY_FILE);
  const publicPath = path.join(dir, TOKEN_ISSUER_PUBLIC_KEY_FILE);
  if (existsSync(privatePath) && existsSync(publicPath)) return { created: false };
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const { privateKey, publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  writeFileSync(`${privatePath}.tmp`, privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
  writeFileSync(`${publicPath}.tmp`, publicKey.export({ type: 'spki', format: 'pem' }), { mode: 0o644 });
  renameSync(`${publicPath}.tmp`, publicPath);
  renameSync(`${privatePath}.tmp`, privatePath);
  return { created: true };
}

/** The issuer's public key and its key id (the RFC 7638 thumbprint), as the gateway verifies with. */
export interface TokenVerificationKey {
  readonly key: KeyObject;
  readonly kid: string;
}

/** Reads the issuer's public key (SPKI PEM, P-256) with an error that names the file. */
export async function readTokenVerificationKey(file: string): Promise<TokenVerificationKey> {
  let pem: string;
  try {
    pem = readFileSync(file, 'utf8');
  } catch {
    throw new Error(`cannot read the token issuer's public key at ${file}; run \`make keys\` or set MEG_TOKEN_PUBLIC_KEY`);
  }
  const key = createPublicKey(pem);
  if (key.asymmetricKeyType !== 'ec' || key.asymmetricKeyDetails?.namedCurve !== 'prime256v1') {
    throw new Error(`${file} is not a P-256 public key; tokens are verified with ES256`);
  }
  return { key, kid: await keyId(key) };
}

/** What a token says of its holder. */
export interface TokenClaims {
  readonly sub: string;
  readonly agency: string;
  readonly roles: readonly string[];
  readonly purposes: readonly string[];
  readonly region?: string;
}

/** Options of {@link mintToken}. */
export interface MintOptions {
  readonly issuerKeyFile: string;
  readonly issuer?: string;
  readonly audience?: string;
  /** Lifetime in seconds. */
  readonly ttlSeconds: number;
}

/** Signs an access token with the development issuer key. */
export async function mintToken(claims: TokenClaims, options: MintOptions): Promise<string> {
  const privateKey = createPrivateKey(readFileSync(options.issuerKeyFile, 'utf8'));
  const kid = await keyId(createPublicKey(privateKey));
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({
    agency: claims.agency,
    roles: [...claims.roles],
    purposes: [...claims.purposes],
    ...(claims.region ? { region: claims.region } : {}),
  })
    .setProtectedHeader({ alg: TOKEN_ALGORITHM, typ: TOKEN_TYPE, kid })
    .setIssuer(options.issuer ?? DEFAULT_TOKEN_ISSUER)
    .setAudience(options.audience ?? DEFAULT_TOKEN_AUDIENCE)
    .setSubject(claims.sub)
    .setIssuedAt(now)
    .setNotBefore(now)
    .setExpirationTime(now + options.ttlSeconds)
    .sign(privateKey);
}

async function keyId(publicKey: KeyObject): Promise<string> {
  return calculateJwkThumbprint(await exportJWK(publicKey));
}
