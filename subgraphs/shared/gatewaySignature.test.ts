import { generateKeyPairSync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { requestSigningKey, SignatureVerifier, signRequest, type CallerContext } from './gatewaySignature.js';

const gateway = generateKeyPairSync('x25519');
const tax = generateKeyPairSync('x25519');
const caller: CallerContext = { requestId: 'r1', sub: 'officer-1', agency: 'TAX', roles: ['officer'], region: null, purpose: 'TAX_ADMINISTRATION' };
const request = { method: 'POST', path: '/graphql', body: '{"query":"{ __typename }"}' };

describe('request signing keys', () => {
  it('are the same on both sides, though each side holds only its own private key', () => {
    const onGateway = requestSigningKey(gateway.privateKey, tax.publicKey, 'tax');
    const onAgency = requestSigningKey(tax.privateKey, gateway.publicKey, 'tax');
    expect(onGateway.equals(onAgency)).toBe(true);
    const verified = new SignatureVerifier(onAgency).verify(request, signRequest(onGateway, request, caller));
    expect(verified).toEqual({ ok: true, caller });
  });

  it('differ for another subgraph name and for another key pair', () => {
    const key = requestSigningKey(gateway.privateKey, tax.publicKey, 'tax');
    expect(requestSigningKey(gateway.privateKey, tax.publicKey, 'market').equals(key)).toBe(false);
    expect(requestSigningKey(generateKeyPairSync('x25519').privateKey, tax.publicKey, 'tax').equals(key)).toBe(false);
  });

  it('refuse a request whose body, path or caller was changed after signing', () => {
    const key = requestSigningKey(gateway.privateKey, tax.publicKey, 'tax');
    const verifier = new SignatureVerifier(key);
    const headers = signRequest(key, request, caller);
    expect(verifier.verify({ ...request, body: '{"query":"{ _service { sdl } }"}' }, headers)).toMatchObject({ ok: false, code: 'GATEWAY_SIGNATURE_INVALID' });
    expect(verifier.verify({ ...request, path: '/other' }, headers)).toMatchObject({ ok: false, code: 'GATEWAY_SIGNATURE_INVALID' });
    const forged = { ...headers, 'x-meg-context': Buffer.from(JSON.stringify({ ...caller, roles: ['auditor'] })).toString('base64url') };
    expect(verifier.verify(request, forged)).toMatchObject({ ok: false, code: 'GATEWAY_SIGNATURE_INVALID' });
    expect(verifier.verify(request, headers)).toEqual({ ok: true, caller });
  });
});

describe('replay protection', () => {
  it('refuses a nonce seen within the window and forgets nonces once their signatures are stale', () => {
    const key = requestSigningKey(gateway.privateKey, tax.publicKey, 'tax');
    const verifier = new SignatureVerifier(key, { maxSkewMs: 1_000 });
    const t0 = 1_800_000_000_000;
    const first = signRequest(key, request, caller, t0);
    expect(verifier.verify(request, first, t0)).toMatchObject({ ok: true });
    expect(verifier.verify(request, first, t0 + 900)).toMatchObject({ ok: false, code: 'GATEWAY_SIGNATURE_REPLAYED' });
    for (let i = 1; i <= 3000; i++) expect(verifier.verify(request, signRequest(key, request, caller, t0 + i), t0 + i)).toMatchObject({ ok: true });
    // At t0 + 3000 only the last second's nonces can still be replayed, so only they are kept.
    expect(verifier.remembered).toBeLessThanOrEqual(1_001);
    expect(verifier.verify(request, first, t0 + 3000)).toMatchObject({ ok: false, code: 'GATEWAY_SIGNATURE_STALE' });
  });
});
