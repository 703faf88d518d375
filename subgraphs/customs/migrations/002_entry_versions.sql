-- The entries officers write through the graph are versioned (subgraphs/runtime/entries.ts): each
-- row is one version of an entry; a correction or a removal closes the version it replaces
-- (superseded_at) and adds the next. The reads see current versions only; the uniqueness that
-- held per row now holds among current versions.

ALTER TABLE customs_registrations
  ADD COLUMN entry_id uuid NOT NULL DEFAULT gen_random_uuid(),
  ADD COLUMN version integer NOT NULL DEFAULT 1,
  ADD COLUMN write_id uuid,
  ADD COLUMN superseded_at timestamptz;
ALTER TABLE customs_registrations DROP CONSTRAINT customs_registrations_pkey, ADD PRIMARY KEY (entry_id, version);
CREATE UNIQUE INDEX customs_registrations_current_uscc ON customs_registrations (uscc) WHERE superseded_at IS NULL;

ALTER TABLE customs_violations
  ADD COLUMN entry_id uuid NOT NULL DEFAULT gen_random_uuid(),
  ADD COLUMN version integer NOT NULL DEFAULT 1,
  ADD COLUMN write_id uuid,
  ADD COLUMN superseded_at timestamptz;
ALTER TABLE customs_violations DROP CONSTRAINT customs_violations_pkey, ADD PRIMARY KEY (entry_id, version);
CREATE UNIQUE INDEX customs_violations_current_decision_no ON customs_violations (decision_no) WHERE superseded_at IS NULL;
