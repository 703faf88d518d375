/**
 * The fuzzer's oracle for decisions, apart from the gateway's: the Rego source of the access
 * policy evaluated by the OPA command line (`opa eval`, OPA's own interpreter), over the
 * classification catalogue, for a principal built here from the caller's token claims. The
 * gateway instead runs the policy compiled to wasm, through its own loader and input; a fault in
 * the compilation, the loader, the input the gateway builds or the way it reads the answer makes
 * the two disagree.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { projectRoot } from '../../platform/config/projectRoot.js';
import type { Caller } from './callers.js';

/** A decision as the Rego source gives it. */
export interface RegoDecision {
  readonly effect: 'ALLOW' | 'MASK' | 'DENY';
  readonly rule: string;
  readonly reason: string;
  readonly mask?: string;
}

/** The OPA command line the build pinned (MEG_OPA, or the one `make` put under .tools). */
export function opaBinary(): string {
  const configured = process.env['MEG_OPA'];
  if (configured) return configured;
  const tools = path.join(projectRoot, '.tools');
  const found = readdirSync(tools, { withFileTypes: true }).find((d) => d.isDirectory() && d.name.startsWith('opa-'));
  if (!found) throw new Error(`no OPA command line under ${tools}; run make policy`);
  return path.join(tools, found.name, 'opa');
}

/** The catalogue the build generated, by coordinate. */
export function readCatalogue(file = path.join(projectRoot, 'gateway/generated/catalogue.json')): Record<string, { coordinate: string; mask: string | null }> {
  const entries = JSON.parse(readFileSync(file, 'utf8')) as { coordinate: string; mask: string | null }[];
  return Object.fromEntries(entries.map((e) => [e.coordinate, e]));
}

/** The input the policy expects for a caller: its principal, as a token with these claims makes it, and its purpose. */
export function policyInput(caller: Caller, coordinates: readonly string[]): unknown {
  const principal = caller.claims
    ? { sub: caller.claims.sub, agency: caller.claims.agency, roles: caller.claims.roles, purposes: caller.claims.purposes, region: caller.claims.region ?? null, public: false }
    : { sub: 'public', agency: null, roles: [], purposes: [], region: null, public: true };
  return { principal, purpose: caller.purpose, coordinates };
}

/**
 * What the Rego source decides for each caller on `coordinates`, by caller name: one `opa eval`
 * per caller. Throws when OPA fails or leaves a coordinate undecided (the oracle never guesses).
 */
export function regoDecisions(callers: readonly Caller[], coordinates: readonly string[]): Map<string, ReadonlyMap<string, RegoDecision>> {
  const dir = mkdtempSync(path.join(tmpdir(), 'meg-oracle-'));
  try {
    const dataFile = path.join(dir, 'data.json');
    writeFileSync(dataFile, JSON.stringify({ meg: { catalogue: readCatalogue() } }));
    const out = new Map<string, ReadonlyMap<string, RegoDecision>>();
    for (const caller of callers) {
      const stdout = execFileSync(
        opaBinary(),
        ['eval', '--format', 'json', '--ignore', '*_test.rego', '-d', path.join(projectRoot, 'policies/meg/access'), '-d', dataFile, '--stdin-input', 'data.meg.access.decisions'],
        { input: JSON.stringify(policyInput(caller, coordinates)), encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
      );
      const value = (JSON.parse(stdout) as { result?: { expressions?: { value?: unknown }[] }[] }).result?.[0]?.expressions?.[0]?.value;
      if (!value || typeof value !== 'object') throw new Error(`opa eval gave no decisions for ${caller.name}: ${stdout.slice(0, 300)}`);
      const decisions = new Map<string, RegoDecision>();
      for (const coordinate of coordinates) {
        const d = (value as Record<string, RegoDecision | undefined>)[coordinate];
        if (!d || !['ALLOW', 'MASK', 'DENY'].includes(d.effect)) throw new Error(`opa eval left ${coordinate} undecided for ${caller.name}`);
        decisions.set(coordinate, d);
      }
      out.set(caller.name, decisions);
    }
    return out;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
