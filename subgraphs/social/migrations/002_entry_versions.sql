-- The entries officers write through the graph are versioned (subgraphs/runtime/entries.ts): each
-- row is one version of an entry; a correction or a removal closes the version it replaces
-- (superseded_at) and adds the next. The reads see current versions only; the uniqueness that
-- held per row now holds among current versions.

ALTER TABLE social_arrears
  ADD COLUMN entry_id uuid NOT NULL DEFAULT gen_random_uuid(),
  ADD COLUMN version integer NOT NULL DEFAULT 1,
  ADD COLUMN write_id uuid,
  ADD COLUMN superseded_at timestamptz;
ALTER TABLE social_arrears DROP CONSTRAINT social_arrears_pkey, ADD PRIMARY KEY (entry_id, version);
CREATE UNIQUE INDEX social_arrears_current ON social_arrears (uscc, insurance_type, since) WHERE superseded_at IS NULL;
