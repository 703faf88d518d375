/**
 * An agency's entries as a caller's record view shows them (platform/domain/recordView.ts). The
 * public sees a licensing or penalty decision once it is published (双公示), not before: until then
 * it is a fact between government bodies.
 */
import type { RecordView } from '../../platform/domain/recordView.js';

/** The decisions of `rows` the view shows on `today`: for the public, those published by then. */
export function decisionsShown<R extends { readonly published_on: string | null }>(rows: readonly R[], view: RecordView, today: string): R[] {
  if (view !== 'PUBLIC') return [...rows];
  return rows.filter((r) => r.published_on !== null && r.published_on <= today);
}
