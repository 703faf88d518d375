/** Tokens like the development issuer's, with any part changed: for the tests and the attack battery that forge them. */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { SignJWT, calculateJwkThumbprint, exportJWK } from 'jose';
import type { TokenClaims } from '../../gateway/auth/tokens.js';
import { issuerKeyFile, type FederationInfo } from './federation.js';

/** What to change of an otherwise valid token. */
export interface TokenChange {
  readonly header?: Record<string, unknown>;
  readonly claims?: Record<string, unknown>;
  readonly key?: Parameters<SignJWT['sign']>[0];
  readonly iat?: number;
  readonly exp?: number;
  readonly nbf?: number;
  readonly iss?: string;
  readonly aud?: string;
}

/** The federation's issuer key and its key id. */
export async function issuerOf(federation: Pick<FederationInfo, 'keysDir'>): Promise<{ key: KeyObject; kid: string }> {
  const key = createPrivateKey(readFileSync(issuerKeyFile(federation), 'utf8'));
  return { key, kid: await calculateJwkThumbprint(await exportJWK(createPublicKey(key))) };
}

/** A token for `claims` as the issuer would sign it, with `change` applied. */
export function forgeToken(issuer: { key: KeyObject; kid: string }, claims: TokenClaims, change: TokenChange = {}): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ agency: claims.agency, roles: [...claims.roles], purposes: [...claims.purposes], ...change.claims })
    .setProtectedHeader({ alg: 'ES256', typ: 'at+jwt', kid: issuer.kid, ...change.header })
    .setIssuer(change.iss ?? 'meg-dev-issuer')
    .setAudience(change.aud ?? 'market-entity-graph')
    .setSubject(claims.sub)
    .setIssuedAt(change.iat ?? now)
    .setNotBefore(change.nbf ?? now)
    .setExpirationTime(change.exp ?? now + 600)
    .sign(change.key ?? issuer.key);
}

/** A token with this header and payload and no signature. */
export function unsignedToken(header: object, payload: object): string {
  return `${base64url(header)}.${base64url(payload)}.`;
}

export function base64url(o: object): string {
  return Buffer.from(JSON.stringify(o)).toString('base64url');
}
