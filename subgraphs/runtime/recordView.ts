/**
 * An agency's entries as a caller's record view shows them (platform/domain/recordView.ts):
 *
 * - the public sees a decision once it is published (双公示), and an entry while it is public
 *   (within its publicity period, on its list, not repaired);
 * - government bodies acting for an approval or a joint measure see every entry in force,
 *   published yet or not, but none whose publicity has ended;
 * - the owning agency and bodies acting for a purpose that needs history see every entry, each
 *   saying where its publicity stands.
 */
import type { RecordView } from '../../platform/domain/recordView.js';
import type { PublicityFacts, PublicityKind, PublicityRules } from '../../platform/domain/publicity.js';

/** The decisions of `rows` the view shows on `today`: for the public, those published by then. */
export function decisionsShown<R extends { readonly published_on: string | null }>(rows: readonly R[], view: RecordView, today: string): R[] {
  if (view !== 'PUBLIC') return [...rows];
  return rows.filter((r) => r.published_on !== null && r.published_on <= today);
}

/**
 * The day a list is seen as of: `asOf` (a review's day) for callers who see the entries in force,
 * never after today; the public sees the list as it stands today, not as it stood.
 */
export function viewDay(view: RecordView, today: string, asOf: unknown): string {
  if (view === 'PUBLIC' || typeof asOf !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(asOf) || asOf > today) return today;
  return asOf;
}

/** The entries of `kind` in `rows` the view shows on `today`, by where their publicity stands. */
export function entriesShown<R extends PublicityFacts>(rows: readonly R[], kind: PublicityKind, view: RecordView, today: string, rules: PublicityRules): R[] {
  if (view === 'HISTORY') return [...rows];
  return rows.filter((r) => {
    const { status } = rules.publicityOf(kind, r, today);
    return view === 'PUBLIC' ? status === 'PUBLIC' : status !== 'ENDED';
  });
}

/** What the resolvers of an entry's publicity read from their context. */
interface PublicityContext {
  readonly publicity: PublicityRules;
  readonly today: string;
}

/** The `severity`, `publicUntil` and `publicity` fields of an entry type of `kind`, from its row on the request's day. */
export function publicityFields<R extends PublicityFacts>(kind: PublicityKind) {
  return {
    severity: (row: R, _: unknown, { publicity, today }: PublicityContext) => publicity.publicityOf(kind, row, today).severity,
    publicUntil: (row: R, _: unknown, { publicity, today }: PublicityContext) => publicity.publicityOf(kind, row, today).publicUntil,
    publicity: (row: R, _: unknown, { publicity, today }: PublicityContext) => publicity.publicityOf(kind, row, today).status,
  };
}
