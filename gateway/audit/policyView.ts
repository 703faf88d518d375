/**
 * The policy made readable for auditors: caller profiles against field coordinates (each cell
 * what the compiled policy actually returns), and one decision explained.
 */
import type { AccessPolicy, FieldDecision, Principal } from '../policy/accessPolicy.js';
import type { CatalogueEntry } from '../catalogue.js';

/** A kind of caller shown in the matrix. */
export interface CallerProfile {
  readonly name: string;
  readonly principal: Principal;
  readonly purpose: string | null;
}

const AGENCY_BODIES = ['MARKET', 'TAX', 'SOCIAL', 'CUSTOMS'];

/**
 * The profiles of the matrix: the public; each agency's officers for each purpose; an approval
 * system of another government body for each purpose; an auditor.
 */
export function callerProfiles(purposes: readonly string[]): CallerProfile[] {
  const principal = (agency: string | null, roles: string[]): Principal => ({
    sub: 'profile',
    agency,
    roles,
    region: null,
    purposes: [...purposes],
    public: agency === null,
  });
  const dataPurposes = purposes.filter((p) => p !== 'AUDIT');
  return [
    { name: 'public', principal: principal(null, []), purpose: null },
    ...AGENCY_BODIES.flatMap((agency) => dataPurposes.map((purpose) => ({ name: `${agency} officer / ${purpose}`, principal: principal(agency, ['officer']), purpose }))),
    ...dataPurposes.map((purpose) => ({ name: `approval system / ${purpose}`, principal: principal('APPROVAL_BODY', ['approval-system']), purpose })),
    { name: 'auditor / AUDIT', principal: principal('AUDIT_OFFICE', ['auditor']), purpose: 'AUDIT' },
  ];
}

/** The matrix: for each profile, the effect of each coordinate. */
export function policyMatrix(policy: AccessPolicy, profiles: readonly CallerProfile[], coordinates: readonly string[]): { profile: CallerProfile; decisions: FieldDecision[] }[] {
  return profiles.map((profile) => {
    const decided = policy.decide(profile.principal, profile.purpose, coordinates);
    return { profile, decisions: coordinates.map((c) => decided.get(c)!) };
  });
}

/**
 * The matrix of one policy revision, decided once per catalogue coordinate and then read from
 * memory. The profiles and the catalogue are fixed for the life of a policy, so however many
 * matrices auditors ask for, the policy decides each cell at most once: a matrix costs the
 * gateway a lookup per cell, not an evaluation.
 */
export class PolicyMatrixView {
  private readonly columns = new Map<string, FieldDecision[]>();

  constructor(
    private readonly policy: AccessPolicy,
    /** The caller profiles, the rows of every matrix. */
    readonly profiles: readonly CallerProfile[],
  ) {}

  /** The coordinates of `coordinates` that are not in the catalogue (the matrix shows catalogue fields only). */
  unknown(coordinates: readonly string[]): string[] {
    return [...new Set(coordinates.filter((c) => !this.policy.catalogue.has(c)))];
  }

  /** For each profile, the decision of each coordinate (all in the catalogue). */
  rows(coordinates: readonly string[]): { profile: CallerProfile; decisions: FieldDecision[] }[] {
    const missing = [...new Set(coordinates.filter((c) => !this.columns.has(c)))];
    if (missing.length > 0) {
      const decided = this.profiles.map((p) => this.policy.decide(p.principal, p.purpose, missing));
      for (const c of missing)
        this.columns.set(
          c,
          decided.map((d) => d.get(c)!),
        );
    }
    return this.profiles.map((profile, i) => ({ profile, decisions: coordinates.map((c) => this.columns.get(c)![i]!) }));
  }
}

/** One decision with the field's classification. */
export function explainAccess(policy: AccessPolicy, principal: Principal, purpose: string | null, coordinate: string): FieldDecision & { coordinate: string; field: CatalogueEntry | null } {
  const decision = policy.decide(principal, purpose, [coordinate]).get(coordinate)!;
  return { ...decision, coordinate, field: policy.catalogue.get(coordinate) ?? null };
}

/** The matrix as CSV (RFC 4180) or a Markdown table. */
export function formatMatrix(rows: ReturnType<typeof policyMatrix>, coordinates: readonly string[], format: 'csv' | 'md'): string {
  const cell = (d: FieldDecision) => (d.effect === 'MASK' ? `MASK:${d.mask}` : d.effect);
  if (format === 'csv') {
    const quote = (v: string) => (/[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);
    return [['profile', ...coordinates].map(quote).join(','), ...rows.map((r) => [r.profile.name, ...r.decisions.map(cell)].map(quote).join(','))].join('\n') + '\n';
  }
  const header = `| profile | ${coordinates.join(' | ')} |`;
  const rule = `|---|${coordinates.map(() => '---').join('|')}|`;
  return [header, rule, ...rows.map((r) => `| ${r.profile.name} | ${r.decisions.map(cell).join(' | ')} |`)].join('\n') + '\n';
}
