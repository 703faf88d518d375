/**
 * Which entries of an agency's credit record a caller sees. The gateway's access policy decides it
 * per caller, purpose and agency (policies/meg/access, `record_views`) and forwards it, signed, in
 * the caller context; each agency's reads apply it to its rows. Whatever is missing or malformed
 * is the narrowest view, PUBLIC.
 */
import type { Agency } from './agencies.js';

/**
 * - `PUBLIC`: what is public today: decisions once published, entries within their publicity
 *   period and not repaired.
 * - `CURRENT`: every entry in force, published yet or not.
 * - `HISTORY`: every entry, those past their publicity period or repaired marked as such.
 */
export type RecordView = 'PUBLIC' | 'CURRENT' | 'HISTORY';

/** The views of each agency's record a caller was given. */
export type RecordViews = Readonly<Partial<Record<Agency, RecordView>>>;

const VIEWS: ReadonlySet<string> = new Set(['PUBLIC', 'CURRENT', 'HISTORY']);

/** The view of `agency`'s record in `views`: PUBLIC unless the views say another, validly. */
export function recordViewOf(views: unknown, agency: Agency): RecordView {
  const view = views && typeof views === 'object' ? (views as Record<string, unknown>)[agency] : undefined;
  return typeof view === 'string' && VIEWS.has(view) ? (view as RecordView) : 'PUBLIC';
}

/** Every agency's record seen as the public sees it. */
export const PUBLIC_RECORD: RecordViews = { market: 'PUBLIC', tax: 'PUBLIC', social: 'PUBLIC', customs: 'PUBLIC' };
