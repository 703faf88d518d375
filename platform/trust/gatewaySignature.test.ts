import { createPrivateKey, createPublicKey, generateKeyPairSync } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { requestSigningKey, SignatureVerifier, signEncodedRequest, signRequest, type CallerContext } from './gatewaySignature.js';

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
    // At t0 + 3000 only the last second's nonces can still be replayed, so only they are kept:
    // all of them (a verifier that forgot them would accept a replay), and no more.
    expect(verifier.remembered).toBeLessThanOrEqual(1_001);
    expect(verifier.remembered).toBeGreaterThanOrEqual(1_000);
    expect(verifier.verify(request, first, t0 + 3000)).toMatchObject({ ok: false, code: 'GATEWAY_SIGNATURE_STALE' });
  });

  it('still refuses a replay of a request signed 10 ms earlier, after its queue was compacted many times', () => {
    const key = requestSigningKey(gateway.privateKey, tax.publicKey, 'tax');
    const verifier = new SignatureVerifier(key, { maxSkewMs: 1_000 });
    const t0 = 1_800_000_000_000;
    const signed: Record<string, string>[] = [];
    // 10,000 requests over 5 s: the queue of nonces is swept and compacted over and over.
    for (let i = 0; i < 10_000; i++) {
      const at = t0 + Math.floor(i / 2);
      signed.push(signRequest(key, request, caller, at));
      expect(verifier.verify(request, signed[i]!, at)).toMatchObject({ ok: true });
    }
    const now = t0 + 4_999;
    expect(verifier.verify(request, signed[9_979]!, now)).toMatchObject({ ok: false, code: 'GATEWAY_SIGNATURE_REPLAYED' });
    expect(verifier.verify(request, signed[8_002]!, now)).toMatchObject({ ok: false, code: 'GATEWAY_SIGNATURE_REPLAYED' });
  });

  it('keeps a nonce that arrived late behind younger ones for as long as its own signature is fresh', () => {
    const key = requestSigningKey(gateway.privateKey, tax.publicKey, 'tax');
    const verifier = new SignatureVerifier(key, { maxSkewMs: 1_000 });
    const t0 = 1_800_000_000_000;
    expect(verifier.verify(request, signRequest(key, request, caller, t0 + 500), t0 + 500)).toMatchObject({ ok: true });
    // Signed before the one above, received after it.
    const late = signRequest(key, request, caller, t0 + 100);
    expect(verifier.verify(request, late, t0 + 600)).toMatchObject({ ok: true });
    expect(verifier.verify(request, late, t0 + 1_050)).toMatchObject({ ok: false, code: 'GATEWAY_SIGNATURE_REPLAYED' });
  });
});

describe('what a signature must say', () => {
  let key: Buffer;
  beforeAll(() => {
    key = requestSigningKey(gateway.privateKey, tax.publicKey, 'tax');
  });
  const t0 = 1_800_000_000_000;

  it('accepts a timestamp up to the skew ahead of the clock, and refuses one beyond it, as stale', () => {
    const verifier = new SignatureVerifier(key, { maxSkewMs: 30_000 });
    expect(verifier.verify(request, signRequest(key, request, caller, t0 + 30_000), t0)).toMatchObject({ ok: true });
    expect(verifier.verify(request, signRequest(key, request, caller, t0 + 30_001), t0)).toEqual({
      ok: false,
      status: 403,
      code: 'GATEWAY_SIGNATURE_STALE',
      message: 'the signature is 30 s old; at most 30 s is accepted',
    });
  });

  it('refuses a signature without its caller context, and a signature alone', () => {
    const verifier = new SignatureVerifier(key);
    const headers = signRequest(key, request, caller, t0);
    expect(verifier.verify(request, { 'x-meg-signature': headers['x-meg-signature']! }, t0)).toMatchObject({ ok: false, status: 401, code: 'GATEWAY_SIGNATURE_REQUIRED' });
    expect(verifier.verify(request, { 'x-meg-context': headers['x-meg-context']! }, t0)).toMatchObject({ ok: false, status: 401, code: 'GATEWAY_SIGNATURE_REQUIRED' });
    expect(verifier.verify(request, { ...headers, 'x-meg-signature': 'sig=abc' }, t0)).toMatchObject({ ok: false, code: 'GATEWAY_SIGNATURE_MALFORMED' });
  });

  it('refuses a caller context that is not JSON even under a valid signature', () => {
    const verifier = new SignatureVerifier(key);
    // The gateway's key signs whatever it is given: a context that is not JSON must still be refused.
    const headers = signEncodedRequest(key, request, Buffer.from('not json').toString('base64url'), t0);
    expect(verifier.verify(request, headers, t0)).toEqual({ ok: false, status: 401, code: 'GATEWAY_SIGNATURE_MALFORMED', message: 'x-meg-context is not base64url JSON' });
  });

  it('names what is wrong with a header that is missing, malformed or carries a signature of the wrong length', () => {
    const verifier = new SignatureVerifier(key);
    const headers = signRequest(key, request, caller, t0);
    expect(verifier.verify(request, {}, t0)).toEqual({ ok: false, status: 401, code: 'GATEWAY_SIGNATURE_REQUIRED', message: 'this service answers only requests signed by the gateway' });
    const malformed = { ok: false, status: 401, code: 'GATEWAY_SIGNATURE_MALFORMED', message: 'x-meg-signature must be t=<ms>,n=<nonce>,sig=<signature>' };
    expect(verifier.verify(request, { ...headers, 'x-meg-signature': `v=2,${headers['x-meg-signature']}` }, t0)).toEqual(malformed);
    expect(verifier.verify(request, { ...headers, 'x-meg-signature': `${headers['x-meg-signature']},v=2` }, t0)).toEqual(malformed);
    expect(verifier.verify(request, { ...headers, 'x-meg-signature': `t=${t0},n=abc,sig=AAAA` }, t0)).toEqual({
      ok: false,
      status: 403,
      code: 'GATEWAY_SIGNATURE_INVALID',
      message: 'the signature does not match the request',
    });
    expect(verifier.verify(request, headers, t0)).toEqual({ ok: true, caller });
  });

  it('refuses a replay up to the last millisecond its signature is fresh, and as stale after it', () => {
    const verifier = new SignatureVerifier(key, { maxSkewMs: 1_000 });
    const headers = signRequest(key, request, caller, t0);
    expect(verifier.verify(request, headers, t0)).toMatchObject({ ok: true });
    expect(verifier.verify(request, headers, t0 + 1_000)).toEqual({ ok: false, status: 403, code: 'GATEWAY_SIGNATURE_REPLAYED', message: 'this signed request was already received' });
    expect(verifier.verify(request, headers, t0 + 1_001)).toMatchObject({ ok: false, code: 'GATEWAY_SIGNATURE_STALE' });
  });
});

describe('the wire format, as another implementation must produce it', () => {
  // The key pairs of RFC 7748, section 6.1 (their shared secret is 4a5d9d5b…161742).
  const alice = x25519PrivateKey('77076d0a7318a57d3c16c17251b26645df4c2f87ebc0992ab177fba51db92c2a');
  const bob = x25519PrivateKey('5dab087e624a8a4b79e17f8b83800ee66f3bb1292618b6fd1c2f8b27ff88e0eb');

  it('derives the key as HKDF-SHA256 of the shared secret, salted with the scheme name, for the subgraph', () => {
    // HKDF(salt "MEG-GATEWAY-HMAC-SHA256", info "subgraph:tax", 32 bytes), computed by hand with HMAC.
    const key = requestSigningKey(alice, createPublicKey(bob), 'tax');
    expect(key.toString('hex')).toBe('2c4d23377853cd6566d5aa64447f62fa6b56e0e9a43a5a35c281044595c14aba');
  });

  it('signs the scheme, the method in capitals, the path, the time, the nonce and the context, a line each, then the body', () => {
    // HMAC-SHA256 of "MEG-GATEWAY-HMAC-SHA256\nPOST\n/graphql\n1800000000000\nnonce-1\n<context>\n<body>", computed by hand.
    const key = requestSigningKey(bob, createPublicKey(alice), 'tax');
    const headers = {
      'x-meg-signature': 't=1800000000000,n=nonce-1,sig=spDtnZymXzTAGjjZBa6wIjHn6-dJRVFGb9U6egT1bz4',
      'x-meg-context': Buffer.from(JSON.stringify(caller)).toString('base64url'),
    };
    expect(new SignatureVerifier(key).verify({ ...request, method: 'post' }, headers, 1_800_000_000_000)).toEqual({ ok: true, caller });
  });
});

/** An X25519 private key from its 32 raw bytes in hex (RFC 8410 PKCS #8 wrapping). */
function x25519PrivateKey(hex: string) {
  return createPrivateKey({ key: Buffer.concat([Buffer.from('302e020100300506032b656e04220420', 'hex'), Buffer.from(hex, 'hex')]), format: 'der', type: 'pkcs8' });
}
