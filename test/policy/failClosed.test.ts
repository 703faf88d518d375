/** Fail closed: without a policy that loads, the gateway does not start. */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';
import { projectRoot } from '../../platform/config/projectRoot.js';
import { freePort } from '../support/federation.js';

const federation = inject('federation');

async function startGateway(env: Record<string, string>): Promise<{ code: number | null; output: string }> {
  const child = spawn(process.execPath, [path.join(projectRoot, 'dist/gateway/index.js')], {
    env: { ...process.env, ...federation.env, MEG_GATEWAY_PORT: String(await freePort()), ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (d) => (output += d));
  child.stderr.on('data', (d) => (output += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
  const code = await new Promise<number | null>((resolve) => child.on('exit', resolve));
  clearTimeout(timer);
  return { code, output };
}

describe('without a policy the gateway does not start', () => {
  const dir = mkdtempSync(path.join(os.tmpdir(), 'meg-policy-'));

  it('refuses to start when the compiled policy is missing', async () => {
    const missing = path.join(dir, 'nowhere.wasm');
    const { code, output } = await startGateway({ MEG_POLICY: missing });
    expect(code).toBe(1);
    expect(output).toContain(`gateway cannot start: cannot read the compiled policy at ${missing}`);
  });

  it('refuses to start when the compiled policy is corrupt', async () => {
    const corrupt = path.join(dir, 'corrupt.wasm');
    writeFileSync(corrupt, Buffer.from('\0asm this is not a policy'));
    const { code, output } = await startGateway({ MEG_POLICY: corrupt });
    expect(code).toBe(1);
    expect(output).toContain(`gateway cannot start: the compiled policy at ${corrupt} cannot be loaded`);
  });

  it('refuses to start when the catalogue the policy reads is corrupt', async () => {
    const corrupt = path.join(dir, 'catalogue.json');
    writeFileSync(corrupt, '{"coordinate": ');
    const { code, output } = await startGateway({ MEG_CATALOGUE: corrupt });
    expect(code).toBe(1);
    expect(output).toContain(`gateway cannot start: the classification catalogue at ${corrupt} is corrupt`);
  });
});
