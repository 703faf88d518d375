/**
 * `make reliability`: the long versions of the hardening runs, with the figures a security
 * reviewer asks for. On federations of its own (PostgreSQL, seeded like the tests'):
 *   1. the attack battery (test/support/attacks.ts): tried and refused, by kind;
 *   2. the fuzzer (test/support/fuzz.ts) as every kind of caller: cases and violations;
 *   3. the soak with faults (test/support/soak.ts): faults survived, requests answered, records missing.
 * Settings: MEG_FUZZ_CASES (20000), MEG_SOAK_SECONDS (120). Exits non-zero on any violation.
 */
import { intFrom } from '../../platform/config/env.js';
import { runAttacks } from '../support/attacks.js';
import { startFederation } from '../support/federation.js';
import { runFuzz } from '../support/fuzz.js';
import { loadRawValues } from '../support/rawValues.js';
import { runSoak } from '../support/soak.js';
import { universe } from '../support/universe.js';

const SEED = 'meg-test';
const FUZZ_CASES = intFrom(process.env, 'MEG_FUZZ_CASES', 20_000, 1, 10_000_000);
const SOAK_SECONDS = intFrom(process.env, 'MEG_SOAK_SECONDS', 120, 10, 86_400);

function log(line: string): void {
  process.stderr.write(`${line}\n`);
}

async function main(): Promise<number> {
  const lines: string[] = [];
  let failures = 0;

  log('starting a federation for the attacks and the fuzzer…');
  const federation = await startFederation({ backend: 'postgres', size: 500, seed: SEED, databases: 'reliability' });
  try {
    const codes = universe(SEED, 500).map((e) => e.uscc);
    log('attack battery…');
    const tally = await runAttacks(federation, codes[0]!);
    lines.push('attacks tried and refused, by kind:');
    for (const [kind, t] of Object.entries(tally)) {
      lines.push(`  ${kind.padEnd(40)} ${String(t.refused).padStart(4)} of ${t.tried} refused${t.gotThrough.length ? `; GOT THROUGH: ${t.gotThrough.join(', ')}` : ''}`);
      failures += t.gotThrough.length;
    }

    log(`fuzzing with ${FUZZ_CASES} cases…`);
    const started = Date.now();
    let done = 0;
    const fuzz = await runFuzz({
      gatewayUrl: federation.gatewayUrl,
      keysDir: federation.keysDir,
      cases: FUZZ_CASES,
      seed: 2026,
      codes,
      rawValues: await loadRawValues(federation.env, codes),
      onCase: () => {
        if (++done % 2_000 === 0) log(`  ${done} cases`);
      },
    });
    const statuses = Object.entries(fuzz.statuses)
      .map(([s, n]) => `${s}: ${n}`)
      .join(', ');
    lines.push(
      `fuzz: ${fuzz.cases} cases in ${Math.round((Date.now() - started) / 1000)} s (valid ${fuzz.byKind.valid.cases}, mutated ${fuzz.byKind.mutated.cases}, invalid ${fuzz.byKind.invalid.cases}); statuses ${statuses}`,
    );
    const met = Object.values(fuzz.byCaller).reduce((sum, c) => ({ denied: sum.denied + c.metDenied, masked: sum.masked + c.metMasked }), { denied: 0, masked: 0 });
    lines.push(`  answers judged holding a field denied to the caller: ${met.denied}; holding values masked for the caller: ${met.masked}`);
    lines.push(`  violations: ${fuzz.violations.length}`);
    for (const v of fuzz.violations.slice(0, 10)) lines.push(`    seed ${v.seed} as ${v.caller}: ${v.violation}\n      ${v.text.slice(0, 300)}`);
    failures += fuzz.violations.length;
  } finally {
    await federation.stop();
  }

  log(`soak with faults, ${SOAK_SECONDS} s…`);
  const soak = await runSoak({ seed: SEED, seconds: SOAK_SECONDS, clients: 8, databases: 'reliability_soak' });
  lines.push(`soak: ${soak.seconds} s, ${soak.requests} requests: ${soak.answered} answered in full, ${soak.partial} with the failing agency named, ${soak.cut} cut with the killed worker`);
  lines.push(`  faults injected and survived: ${soak.faults.map((f) => `${f.kind} (+${Math.round(f.at / 1000)} s, back +${Math.round(f.recoveredAt / 1000)} s)`).join('; ')}`);
  lines.push(`  audit records missing: ${soak.missingRecords}; ${soak.auditVerify}`);
  lines.push(`  violations: ${soak.violations.length}`);
  for (const v of soak.violations.slice(0, 10)) lines.push(`    ${v}`);
  failures += soak.violations.length + soak.missingRecords;

  console.log(`\nMarket Entity Graph reliability\n${lines.join('\n')}\n\n${failures === 0 ? 'no violations' : `${failures} violations`}`);
  return failures === 0 ? 0 : 1;
}

process.exit(await main());
