/**
 * `make test` runs this: no runtime dependency may carry a known high or critical advisory.
 * It asks `npm audit --omit=dev` first. Where the registry does not serve the audit endpoint
 * (some mirrors answer 405), it checks every installed runtime package against the advisories
 * recorded in security/advisories.json instead, and says which check it ran.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { projectRoot } from '../platform/config/projectRoot.js';

interface Advisory {
  readonly package: string;
  readonly fixedIn: string;
  readonly severity: string;
  readonly id: string;
  readonly summary: string;
}

/** What `npm audit --json` prints: the counts by severity, or why there are none. */
interface AuditReport {
  readonly metadata?: { vulnerabilities?: Record<string, number> };
  readonly error?: { summary?: string };
  readonly message?: string;
}

interface LsNode {
  readonly version?: string;
  readonly dependencies?: Record<string, LsNode>;
}

function run(args: string[]): string {
  try {
    return execFileSync('npm', args, { cwd: projectRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 * 1024 * 1024 });
  } catch (error) {
    // npm audit and npm ls exit non-zero when they find something; their JSON is still on stdout.
    return (error as { stdout?: string }).stdout ?? '';
  }
}

/** -1, 0 or 1 as `a` is before, equal to or after `b` (numeric x.y.z; pre-release tags are before the release). */
export function compareVersions(a: string, b: string): number {
  const parse = (v: string) => {
    const [core, pre] = v.split('-', 2) as [string, string | undefined];
    return { parts: core.split('.').map((n) => Number.parseInt(n, 10) || 0), pre };
  };
  const x = parse(a);
  const y = parse(b);
  for (let i = 0; i < 3; i++) {
    const d = (x.parts[i] ?? 0) - (y.parts[i] ?? 0);
    if (d !== 0) return Math.sign(d);
  }
  if (x.pre && !y.pre) return -1;
  if (!x.pre && y.pre) return 1;
  return 0;
}

function installedVersions(): Map<string, Set<string>> {
  const tree = JSON.parse(run(['ls', '--omit=dev', '--all', '--json']) || '{}') as LsNode;
  const found = new Map<string, Set<string>>();
  const walk = (node: LsNode) => {
    for (const [name, child] of Object.entries(node.dependencies ?? {})) {
      if (child.version) (found.get(name) ?? found.set(name, new Set()).get(name)!).add(child.version);
      walk(child);
    }
  };
  walk(tree);
  return found;
}

function main(): number {
  const audit = run(['audit', '--omit=dev', '--json']);
  let report: AuditReport | null = null;
  try {
    report = JSON.parse(audit) as AuditReport;
  } catch {
    report = null;
  }
  const counts = report?.metadata?.vulnerabilities;
  if (counts) {
    const serious = (counts['high'] ?? 0) + (counts['critical'] ?? 0);
    console.log(`npm audit --omit=dev: ${counts['critical'] ?? 0} critical, ${counts['high'] ?? 0} high, ${counts['moderate'] ?? 0} moderate, ${counts['low'] ?? 0} low`);
    if (serious > 0) console.error('runtime dependencies with high or critical advisories: run `npm audit --omit=dev` for the list, then update them');
    return serious > 0 ? 1 : 0;
  }

  const why = report?.message || report?.error?.summary || 'no report';
  const { advisories } = JSON.parse(readFileSync(path.join(projectRoot, 'security/advisories.json'), 'utf8')) as { advisories: Advisory[] };
  const installed = installedVersions();
  const problems: string[] = [];
  for (const advisory of advisories) {
    for (const version of installed.get(advisory.package) ?? []) {
      if (compareVersions(version, advisory.fixedIn) < 0) {
        problems.push(`${advisory.package}@${version}: ${advisory.id} (${advisory.severity}) ${advisory.summary}; fixed in ${advisory.fixedIn}`);
      }
    }
  }
  console.log(
    `npm audit is not available here (${why.split('\n')[0]}); checked ${installed.size} installed runtime packages against ` +
      `${advisories.length} recorded advisories (security/advisories.json): ${problems.length === 0 ? 'none applies' : `${problems.length} apply`}`,
  );
  for (const p of problems) console.error(`  ${p}`);
  return problems.length > 0 ? 1 : 0;
}

// Run as a script (not when a test imports compareVersions).
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) process.exit(main());
