/**
 * The joint measures an agency has taken (responder.ts records them), read in batches per request
 * like the agency's own lists: every agency's profile shows its own under `jointMeasures`.
 */
import type DataLoader from 'dataloader';
import type { Statements } from '../../platform/db/database.js';
import { rowsByUscc } from './batch.js';

/** A joint measure as read. */
export interface JointMeasureRow {
  readonly uscc: string;
  readonly measure_id: string;
  readonly measure: string;
  readonly description: string;
  readonly basis: string;
  readonly source_event_id: string;
  readonly source_agency: string;
  readonly source_kind: string;
  readonly source_entry_id: string | null;
  readonly effective_from: string;
  readonly lifted_on: string | null;
}

/** The measures of each enterprise, those in force first, newest first. */
export function jointMeasuresLoader(db: Statements): DataLoader<string, JointMeasureRow[]> {
  return rowsByUscc<JointMeasureRow>(
    db,
    'joint_measures',
    `SELECT uscc, measure_id, measure, description, basis, source_event_id, source_agency, source_kind, source_entry_id,
            to_char(effective_from AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS effective_from,
            to_char(lifted_on AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"') AS lifted_on
       FROM joint_measures WHERE uscc = ANY($1) ORDER BY lifted_on IS NOT NULL, effective_from DESC, measure`,
  );
}

/** The resolvers of `JointMeasure` (agency.graphql), the same in every subgraph. */
export const jointMeasureResolvers = {
  sourceAgency: (m: JointMeasureRow) => m.source_agency,
  sourceKind: (m: JointMeasureRow) => m.source_kind,
  sourceEventId: (m: JointMeasureRow) => m.source_event_id,
  sourceEntryId: (m: JointMeasureRow) => m.source_entry_id,
  effectiveFrom: (m: JointMeasureRow) => m.effective_from,
  liftedOn: (m: JointMeasureRow) => m.lifted_on,
};
