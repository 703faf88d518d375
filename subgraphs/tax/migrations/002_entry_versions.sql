-- The entries officers write through the graph are versioned (subgraphs/runtime/entries.ts): each
-- row is one version of an entry; a correction or a removal closes the version it replaces
-- (superseded_at) and adds the next. The reads see current versions only; the uniqueness that
-- held per row now holds among current versions.

ALTER TABLE tax_credit_ratings
  ADD COLUMN entry_id uuid NOT NULL DEFAULT gen_random_uuid(),
  ADD COLUMN version integer NOT NULL DEFAULT 1,
  ADD COLUMN write_id uuid,
  ADD COLUMN superseded_at timestamptz;
ALTER TABLE tax_credit_ratings DROP CONSTRAINT tax_credit_ratings_pkey, ADD PRIMARY KEY (entry_id, version);
CREATE UNIQUE INDEX tax_credit_ratings_current_year ON tax_credit_ratings (uscc, year) WHERE superseded_at IS NULL;

ALTER TABLE tax_arrears
  ADD COLUMN entry_id uuid NOT NULL DEFAULT gen_random_uuid(),
  ADD COLUMN version integer NOT NULL DEFAULT 1,
  ADD COLUMN write_id uuid,
  ADD COLUMN superseded_at timestamptz;
ALTER TABLE tax_arrears DROP CONSTRAINT tax_arrears_pkey, ADD PRIMARY KEY (entry_id, version);
CREATE UNIQUE INDEX tax_arrears_current ON tax_arrears (uscc, tax_type, since) WHERE superseded_at IS NULL;

ALTER TABLE tax_major_violations
  ADD COLUMN entry_id uuid NOT NULL DEFAULT gen_random_uuid(),
  ADD COLUMN version integer NOT NULL DEFAULT 1,
  ADD COLUMN write_id uuid,
  ADD COLUMN superseded_at timestamptz;
ALTER TABLE tax_major_violations DROP CONSTRAINT tax_major_violations_pkey, ADD PRIMARY KEY (entry_id, version);
CREATE UNIQUE INDEX tax_major_violations_current_case_no ON tax_major_violations (case_no) WHERE superseded_at IS NULL;
