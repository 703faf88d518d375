/**
 * The gateway's bound on the requests it works on at once, across processes: a federation of its
 * own that works on one request at a time and whose tax agency answers 2.5 s late. A request that
 * comes while another holds the place waits for it, then is answered in full, its wait told in
 * Server-Timing; the Watch and the agencies are not behind it (their own tests).
 */
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { CALLERS, headersFor } from '../support/callers.js';
import { startFederation, type Federation } from '../support/federation.js';
import { graphql } from '../support/graphql.js';
import { universe } from '../support/universe.js';

const shared = inject('federation');
const TAX_DELAY_MS = 2_500;
let federation: Federation;

beforeAll(async () => {
  federation = await startFederation({
    backend: 'pglite',
    size: 20,
    seed: shared.seed,
    extraEnv: { MEG_MAX_CONCURRENT_REQUESTS: '1', MEG_SERVER_TIMING: 'on', MEG_TAX_ARTIFICIAL_DELAY_MS: String(TAX_DELAY_MS), MEG_REQUEST_TIMEOUT_MS: '30000' },
  });
}, 120_000);
afterAll(async () => {
  await federation?.stop();
});

/** The `queue;dur=` of a Server-Timing value, in ms. */
function queued(timing: string | null): number {
  const match = /(?:^|, )queue;dur=([\d.]+)/.exec(timing ?? '');
  if (!match) throw new Error(`no queue;dur in server-timing ${JSON.stringify(timing)}`);
  return Number(match[1]);
}

describe('the bound on requests at once', () => {
  it('lets a request that comes while the place is taken wait its turn, then answers it in full, saying how long it waited', async () => {
    const uscc = universe(shared.seed, 1)[0]!.uscc;
    const headers = await headersFor(federation, CALLERS.taxOfficer);
    const slow = graphql(federation.gatewayUrl, 'query($u: USCC!) { enterprise(uscc: $u) { tax { taxpayerType } } }', { u: uscc }, headers);
    // Sent once the slow one holds the place (it waits 2.5 s on the tax agency).
    await new Promise((resolve) => setTimeout(resolve, 500));
    const sentAt = performance.now();
    const quick = await graphql(federation.gatewayUrl, 'query($u: USCC!) { enterprise(uscc: $u) { market { name } } }', { u: uscc }, headers);
    const tookMs = performance.now() - sentAt;
    const first = await slow;

    expect(first.body.errors).toBeUndefined();
    expect(first.body.data?.['enterprise'].tax).not.toBeNull();
    expect(quick.status).toBe(200);
    expect(quick.body.errors).toBeUndefined();
    expect(quick.body.data?.['enterprise'].market.name).toEqual(expect.any(String));
    // It waited for the slow request (about 2 s of the tax agency’s delay were left), and says so.
    expect(tookMs).toBeGreaterThanOrEqual(800);
    expect(queued(quick.headers.get('server-timing'))).toBeGreaterThanOrEqual(800);
    expect(queued(first.headers.get('server-timing'))).toBeLessThan(800);
  });
});
