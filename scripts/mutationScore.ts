/**
 * `make mutation` runs StrykerJS (stryker.config.mjs) and then this: the mutation score of each
 * module from Stryker's JSON report, every mutant that survived (a change to the code no test
 * noticed) with where it is and what it changed, and every mutant marked equivalent in the source
 * (`// Stryker disable next-line <mutator>: <why>`) with the reason given there. Exits 1 when a
 * module scores under the threshold (80% unless `--threshold N`), or when the report is missing.
 *
 * The score is Stryker's: killed and timed-out mutants over all mutants that could be judged
 * (killed, timed out, survived, not covered by any test). A mutant marked equivalent is left out
 * of it, and listed, so that the reason can be read and disputed.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../platform/config/projectRoot.js';

/** One mutant of Stryker's JSON report (mutation-testing-report-schema), as far as read here. */
export interface ReportedMutant {
  readonly mutatorName: string;
  readonly replacement?: string;
  readonly status: string;
  readonly statusReason?: string;
  readonly location: { readonly start: { readonly line: number; readonly column: number } };
}

/** Stryker's JSON report, as far as read here. */
export interface MutationReport {
  readonly files: Record<string, { readonly source: string; readonly mutants: readonly ReportedMutant[] }>;
}

/** What one module scored. */
export interface ModuleScore {
  readonly file: string;
  readonly killed: number;
  readonly survived: number;
  readonly noCoverage: number;
  readonly ignored: number;
  readonly errors: number;
  /** Percent of the judged mutants that a test noticed; null when none could be judged. */
  readonly score: number | null;
  /** Mutants no test noticed (survived, or not reached by any test). */
  readonly survivors: readonly string[];
  /** Mutants marked equivalent in the source, with the reason written there. */
  readonly equivalent: readonly string[];
}

/** The score of each module of the report, worst first. */
export function scoreModules(report: MutationReport): ModuleScore[] {
  return Object.entries(report.files)
    .map(([file, { source, mutants }]) => {
      const lines = source.split('\n');
      const count = (...statuses: string[]) => mutants.filter((m) => statuses.includes(m.status)).length;
      const killed = count('Killed', 'Timeout');
      const survived = count('Survived');
      const noCoverage = count('NoCoverage');
      const judged = killed + survived + noCoverage;
      const describe = (m: ReportedMutant) => {
        const at = `${file}:${m.location.start.line}:${m.location.start.column}`;
        const code = (lines[m.location.start.line - 1] ?? '').trim().slice(0, 100);
        const change = m.replacement === undefined ? '' : ` → ${JSON.stringify(m.replacement.slice(0, 60))}`;
        return `${at} ${m.mutatorName}${change}${m.status === 'NoCoverage' ? ' (no test reaches it)' : ''}\n      ${code}`;
      };
      return {
        file,
        killed,
        survived,
        noCoverage,
        ignored: count('Ignored'),
        errors: count('CompileError', 'RuntimeError'),
        score: judged === 0 ? null : (100 * killed) / judged,
        survivors: mutants.filter((m) => m.status === 'Survived' || m.status === 'NoCoverage').map(describe),
        equivalent: mutants.filter((m) => m.status === 'Ignored').map((m) => `${describe(m)}\n      why: ${m.statusReason ?? '(no reason given)'}`),
      };
    })
    .sort((a, b) => (a.score ?? 100) - (b.score ?? 100) || a.file.localeCompare(b.file));
}

function main(argv: readonly string[]): number {
  const at = argv.indexOf('--threshold');
  const threshold = at >= 0 ? Number(argv[at + 1]) : 80;
  const reportFile = path.join(projectRoot, 'reports/mutation/mutation.json');
  let report: MutationReport;
  try {
    report = JSON.parse(readFileSync(reportFile, 'utf8')) as MutationReport;
  } catch (error) {
    console.error(`mutation: cannot read ${reportFile} (${(error as Error).message}); run make mutation`);
    return 1;
  }
  const scores = scoreModules(report);
  const pad = Math.max(...scores.map((s) => s.file.length));
  console.log(`${'module'.padEnd(pad)}  score   killed survived uncovered equivalent`);
  for (const s of scores) {
    const score = s.score === null ? '   -  ' : `${s.score.toFixed(1).padStart(5)}%`;
    console.log(`${s.file.padEnd(pad)}  ${score} ${String(s.killed).padStart(7)} ${String(s.survived).padStart(8)} ${String(s.noCoverage).padStart(9)} ${String(s.ignored).padStart(10)}`);
  }
  for (const s of scores.filter((m) => m.survivors.length > 0)) {
    console.log(`\nsurvived in ${s.file}:`);
    for (const line of s.survivors) console.log(`  ${line}`);
  }
  for (const s of scores.filter((m) => m.equivalent.length > 0)) {
    console.log(`\nmarked equivalent in ${s.file}:`);
    for (const line of s.equivalent) console.log(`  ${line}`);
  }
  const failing = scores.filter((s) => s.score !== null && s.score < threshold);
  const broken = scores.filter((s) => s.errors > 0);
  if (broken.length > 0) console.log(`\nmutants that did not compile or run: ${broken.map((s) => `${s.file} (${s.errors})`).join(', ')}`);
  if (failing.length > 0) {
    console.error(`\nmutation: under ${threshold}%: ${failing.map((s) => `${s.file} ${s.score!.toFixed(1)}%`).join(', ')}`);
    return 1;
  }
  console.log(`\nmutation: every module at or above ${threshold}%`);
  return 0;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) process.exitCode = main(process.argv.slice(2));
