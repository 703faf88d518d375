/**
 * `make start`: runs the four subgraphs and the gateway as five processes, with a NATS server for
 * their credit events (the pinned nats-server, JetStream on a file store under `.data/nats`)
 * unless MEG_NATS_URL names one, prints where they listen and a few enterprise codes to try, and
 * stops them all on Ctrl-C or SIGTERM. A process that dies takes the others down with it, so a
 * half-running federation is never left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { AGENCIES } from '../platform/domain/agencies.js';
import { projectRoot } from '../platform/config/projectRoot.js';
import { loadGatewayConfig } from '../gateway/config.js';
import { loadSubgraphConfig } from '../subgraphs/runtime/config.js';
import { dataDirFrom } from '../platform/config/dataLocations.js';
import { portFrom } from '../platform/config/env.js';
import { startNatsServer, type NatsServer } from '../platform/events/natsServer.js';
import { DEFAULT_SEED, enterpriseAt, type EnterpriseIdentity } from '../platform/domain/synthetic/universe.js';
import type { StartRegisteredQuery, StartSamplesQuery } from '../gateway/generated/graphql/operations.js';

const children = new Map<string, ChildProcess>();
let stopping = false;

function run(name: string, script: string): ChildProcess {
  const child = spawn(process.execPath, [path.join(projectRoot, 'dist', script)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `[${name}]`.padEnd(10);
  for (const stream of [child.stdout, child.stderr]) {
    stream.setEncoding('utf8');
    stream.on('data', (chunk: string) => {
      for (const line of chunk.split('\n')) if (line.trim()) process.stdout.write(`${prefix} ${line}\n`);
    });
  }
  child.on('exit', (code, signal) => {
    children.delete(name);
    if (!stopping) {
      console.error(`${prefix} exited (${signal ?? code}); stopping the others`);
      stop(1);
    }
  });
  children.set(name, child);
  return child;
}

function stop(exitCode: number): void {
  stopping = true;
  for (const child of children.values()) child.kill('SIGTERM');
  const wait = setInterval(() => {
    if (children.size === 0) {
      clearInterval(wait);
      // The subgraphs' relays are gone: the events server can stop (it flushes its store).
      void (nats?.stop() ?? Promise.resolve()).finally(() => process.exit(exitCode));
    }
  }, 100);
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

// The credit events' server, on loopback, unless the environment names a cluster; the subgraphs
// (started below, with this environment) publish to it.
let nats: NatsServer | null = null;
if (!process.env['MEG_NATS_URL']?.trim()) {
  try {
    nats = await startNatsServer({ storeDir: path.join(dataDirFrom(process.env), 'nats'), port: portFrom(process.env, 'MEG_NATS_PORT', 0) });
  } catch (error) {
    console.error(`the NATS server for the credit events cannot start: ${(error as Error).message}`);
    process.exit(1);
  }
  process.env['MEG_NATS_URL'] = nats.url;
  // Stopped while it was starting: nothing else is started.
  if (stopping) {
    await nats.stop();
    process.exit(0);
  }
}

for (const agency of AGENCIES) run(agency, `subgraphs/${agency}/index.js`);

// The gateway starts once every subgraph answers, so its first requests find them.
const config = loadGatewayConfig();
const deadline = Date.now() + 60_000;
for (const agency of AGENCIES) {
  const url = config.subgraphUrls[agency];
  while (!(await answers(new URL('/readyz', url)))) {
    if (Date.now() > deadline) {
      console.error(`${agency} did not become ready within 60 s`);
      stop(1);
      await new Promise(() => {});
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}
run('gateway', 'gateway/index.js');
const gatewayBase = `http://${config.host}:${config.port}`;
while (!(await answers(new URL('/readyz', gatewayBase)))) await new Promise((r) => setTimeout(r, 250));

const seed = process.env['MEG_SEED'] ?? DEFAULT_SEED;
const size = Number(process.env['MEG_SIZE'] ?? 5_000);
const samples = await registered(sampleEnterprises(seed, size));
console.log(`
Market Entity Graph is running.
  GraphQL and explorer  ${gatewayBase}/graphql   (open it in a browser)
  health / readiness    ${gatewayBase}/healthz  ${gatewayBase}/readyz
  joint review, events  ${config.host}:${config.grpcPort}   meg.review.v1.JointReviewService, meg.events.v1.CreditEventService (gRPC)
  credit events (NATS)  ${withoutCredentials(process.env['MEG_NATS_URL'] ?? '')}   stream MEG_CREDIT_EVENTS${nats ? ' (JetStream under .data/nats)' : ''}
  subgraphs (gateway-signed requests only): ${AGENCIES.map((a) => config.subgraphUrls[a]).join('  ')}
  metrics, health and readiness of the subgraphs (admin ports): ${AGENCIES.map((a) => {
    const c = loadSubgraphConfig(a);
    return `http://${c.adminHost}:${c.adminPort}/metrics`;
  }).join('  ')}

Enterprise codes to try:
${samples.map(([why, e]) => `  ${e.uscc}  ${e.name}  (${why})`).join('\n')}

Ctrl-C stops everything.`);

/**
 * The samples the databases actually hold (they may have been seeded with another seed), or the
 * first few registered enterprises when none is.
 */
async function registered(samples: [string, EnterpriseIdentity][]): Promise<[string, { uscc: string; name: string }][]> {
  const ask = async <Q>(query: string, variables: Record<string, unknown> = {}): Promise<Partial<Q>> => {
    const res = await fetch(`${gatewayBase}/graphql`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ query, variables }),
    });
    return ((await res.json()) as { data?: Q | null }).data ?? {};
  };
  const data = await ask<StartSamplesQuery>(
    /* GraphQL */ `
      query StartSamples($c: [USCC!]!) {
        enterprises(uscc: $c) {
          uscc
        }
      }
    `,
    { c: samples.map(([, e]) => e.uscc) },
  );
  const present = samples.filter((_, i) => data.enterprises?.[i] != null);
  if (present.length > 0) return present;
  const search = await ask<StartRegisteredQuery>(/* GraphQL */ `
    query StartRegistered {
      searchEnterprises(first: 5) {
        edges {
          node {
            uscc
            market {
              name
            }
          }
        }
      }
    }
  `);
  return (search.searchEnterprises?.edges ?? []).flatMap(({ node }): [string, { uscc: string; name: string }][] => (node.market ? [['registered', { uscc: node.uscc, name: node.market.name }]] : []));
}

/** A few enterprises worth looking at: an ordinary one, a trader, a trustworthy one, listed ones. */
function sampleEnterprises(seed: string, size: number): [string, EnterpriseIdentity][] {
  const wanted: [string, (e: EnterpriseIdentity) => boolean][] = [
    ['ordinary', () => true],
    ['imports and exports', (e) => e.trades && e.headcount > 0],
    ['trustworthy', (e) => e.trust > 0.9 && e.risk < 0.5 && e.trades],
    ['on the abnormal-operations list', (e) => e.risk > 0.96 && e.risk < 0.97],
    ['on the serious-violation list', (e) => e.risk > 0.997],
  ];
  const found: [string, EnterpriseIdentity][] = [];
  for (const [why, test] of wanted) {
    for (let i = 0; i < Math.min(size, 20_000); i++) {
      const e = enterpriseAt(seed, i);
      if (test(e)) {
        found.push([why, e]);
        break;
      }
    }
  }
  return found;
}

async function answers(url: URL): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    return res.ok;
  } catch {
    return false;
  }
}

/** Server URLs as they may be printed: a user and password in them are left out. */
function withoutCredentials(servers: string): string {
  return servers
    .split(',')
    .map((server) => {
      try {
        const url = new URL(server.trim());
        return `${url.protocol}//${url.host}`;
      } catch {
        return '(unreadable)';
      }
    })
    .join(', ');
}
