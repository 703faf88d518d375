/**
 * The product makes no outbound call of its own. A gateway process runs with a recorder preloaded
 * (test/support/outboundRecorder.cjs) that notes every attempt to reach anything but this machine:
 * TCP and TLS connections, UDP datagrams, DNS lookups. First the recorder is shown to catch what a
 * stock Apollo Gateway does at start (its telemetry asks the clouds' metadata endpoints), then the
 * gateway is started, asked on every channel, and given several times as long, and must have tried
 * nothing.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, inject, it } from 'vitest';
import { projectRoot } from '../../platform/config/projectRoot.js';
import { CALLERS, headersFor } from '../support/callers.js';
import { waitUntil } from '../support/federation.js';
import { startGatewayProcess } from '../support/gateway.js';
import { graphql } from '../support/graphql.js';
import { metadataFor, review, reviewClient } from '../support/grpc.js';
import { universe } from '../support/universe.js';

const federation = inject('federation');
const RECORDER = path.join(projectRoot, 'test/support/outboundRecorder.cjs');
const children: ChildProcess[] = [];

afterEach(() => {
  for (const child of children.splice(0)) child.kill('SIGKILL');
});

/** A new empty log file for the recorder, and what it holds. */
function outboundLog(): { file: string; attempts: () => { kind: string; destination: string }[] } {
  const file = path.join(mkdtempSync(path.join(os.tmpdir(), 'meg-outbound-')), 'outbound.jsonl');
  writeFileSync(file, '');
  return {
    file,
    attempts: () =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line)),
  };
}

function start(args: string[], env: Record<string, string | undefined>): ChildProcess {
  const child = spawn(process.execPath, ['--require', RECORDER, ...args], { cwd: projectRoot, env, stdio: 'ignore' });
  children.push(child);
  return child;
}

describe('outbound calls', () => {
  it('the recorder catches what a stock Apollo Gateway sends home, and the gateway sends nothing', async () => {
    // The control: Apollo Gateway as it comes, telemetry on.
    const control = outboundLog();
    const { APOLLO_TELEMETRY_DISABLED: _, ...environment } = process.env;
    const started = Date.now();
    start(
      [
        '-e',
        `const { ApolloGateway } = require('@apollo/gateway'); new ApolloGateway({ supergraphSdl: require('node:fs').readFileSync('gateway/generated/supergraph.graphql', 'utf8') }); setInterval(() => {}, 1000);`,
      ],
      {
        ...environment,
        MEG_OUTBOUND_LOG: control.file,
      },
    );
    await waitUntil(async () => control.attempts().length > 0, 60_000, 50);
    const controlMs = Date.now() - started;
    expect(control.attempts().map((a) => a.destination)).toContainEqual(expect.stringMatching(/^169\.254\.169\.254:|metadata\.google\.internal/));

    // The gateway, on ports of its own, over the shared federation's agencies.
    const log = outboundLog();
    const gatewayStarted = Date.now();
    const gateway = await startGatewayProcess(federation, {
      nodeArgs: ['--require', RECORDER],
      extraEnv: {
        MEG_OUTBOUND_LOG: log.file,
        // Keys of Apollo's studio in the environment must not make it report there either (its
        // usage reports go at intervals and when the server stops: the gateway is stopped below).
        APOLLO_KEY: 'service:meg-test:not-a-real-key',
        APOLLO_GRAPH_REF: 'meg-test@current',
      },
    });
    const gatewayUrl = gateway.url;
    const grpcPort = gateway.grpcAddress.split(':')[1];
    const uscc = universe(federation.seed, 1)[0]!.uscc;
    const profile = await graphql(
      gatewayUrl,
      'query($u: USCC!) { enterprise(uscc: $u) { market { name } tax { creditRatings { rating } } } }',
      { u: uscc },
      await headersFor(federation, CALLERS.taxOfficer),
    );
    expect(profile.body.errors).toBeUndefined();
    const reviewed = await graphql(gatewayUrl, 'query($u: USCC!) { jointReview(uscc: $u, matter: BIDDING) { outcome } }', { u: uscc }, await headersFor(federation, CALLERS.procurement));
    expect(reviewed.body.data!['jointReview'].outcome).toMatch(/^[A-Z]+$/);
    const client = reviewClient(`127.0.0.1:${grpcPort}`);
    try {
      expect((await review(client, { uscc, matter: 'MATTER_BIDDING' }, await metadataFor(federation, CALLERS.procurement))).status.code).toBe(0);
    } finally {
      client.close();
    }
    expect((await fetch(new URL('/console', gatewayUrl))).status).toBe(200);
    // Three times as long as the control took to call out, counted from the gateway's own start.
    const waitMs = Math.max(3 * controlMs - (Date.now() - gatewayStarted), 0);
    await new Promise((r) => setTimeout(r, waitMs));
    expect(await gateway.stop()).toBe(0);
    expect(log.attempts()).toEqual([]);
  }, 180_000);
});
