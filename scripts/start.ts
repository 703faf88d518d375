/**
 * `make start`: runs the four subgraphs and the gateway as five processes, prints where they
 * listen and a few enterprise codes to try, and stops them all on Ctrl-C or SIGTERM. A process
 * that dies takes the others down with it, so a half-running federation is never left behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import { AGENCIES, projectRoot } from '../subgraphs/shared/agencies.js';
import { loadGatewayConfig } from '../gateway/config.js';
import { DEFAULT_SEED, enterpriseAt } from '../subgraphs/shared/synthetic/universe.js';

const children = new Map<string, ChildProcess>();
let stopping = false;

function run(name: string, script: string): ChildProcess {
  const child = spawn(process.execPath, [path.join(projectRoot, 'dist', script)], { stdio: ['ignore', 'pipe', 'pipe'] });
  const prefix = `[${name}]`.padEnd(10);
  for (const stream of [child.stdout!, child.stderr!]) {
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
      process.exit(exitCode);
    }
  }, 100);
}

process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));

for (const agency of AGENCIES) run(agency, `subgraphs/${agency}/index.js`);

// The gateway starts once every subgraph answers, so its first requests find them.
const config = loadGatewayConfig();
const deadline = Date.now() + 60_000;
for (const [agency, url] of Object.entries(config.subgraphUrls)) {
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
const samples = [0, 1, 2, 3, 4].map((i) => enterpriseAt(seed, i));
console.log(`
Market Entity Graph is running.
  GraphQL and explorer  ${gatewayBase}/graphql   (open it in a browser)
  health / readiness    ${gatewayBase}/healthz  ${gatewayBase}/readyz
  subgraphs (gateway-signed requests only): ${Object.values(config.subgraphUrls).join('  ')}

Enterprise codes to try:
${samples.map((e) => `  ${e.uscc}  ${e.name}`).join('\n')}

Ctrl-C stops everything.`);

async function answers(url: URL): Promise<boolean> {
  try {
    const res = await fetch(url, { signal: AbortSignal.timeout(1_000) });
    return res.ok;
  } catch {
    return false;
  }
}
