-- The entries officers write through the graph are versioned (subgraphs/runtime/entries.ts): each
-- row is one version of an entry; a correction or a removal closes the version it replaces
-- (superseded_at) and adds the next. The reads see current versions only; the uniqueness that
-- held per row now holds among current versions.

ALTER TABLE market_licences
  ADD COLUMN entry_id uuid NOT NULL DEFAULT gen_random_uuid(),
  ADD COLUMN version integer NOT NULL DEFAULT 1,
  ADD COLUMN write_id uuid,
  ADD COLUMN superseded_at timestamptz;
ALTER TABLE market_licences DROP CONSTRAINT market_licences_pkey, ADD PRIMARY KEY (entry_id, version);
CREATE UNIQUE INDEX market_licences_current_licence_no ON market_licences (licence_no) WHERE superseded_at IS NULL;

ALTER TABLE market_penalties
  ADD COLUMN entry_id uuid NOT NULL DEFAULT gen_random_uuid(),
  ADD COLUMN version integer NOT NULL DEFAULT 1,
  ADD COLUMN write_id uuid,
  ADD COLUMN superseded_at timestamptz;
ALTER TABLE market_penalties DROP CONSTRAINT market_penalties_pkey, ADD PRIMARY KEY (entry_id, version);
CREATE UNIQUE INDEX market_penalties_current_decision_no ON market_penalties (authority, decision_no) WHERE superseded_at IS NULL;

ALTER TABLE market_abnormal_operations
  ADD COLUMN entry_id uuid NOT NULL DEFAULT gen_random_uuid(),
  ADD COLUMN version integer NOT NULL DEFAULT 1,
  ADD COLUMN write_id uuid,
  ADD COLUMN superseded_at timestamptz;
ALTER TABLE market_abnormal_operations DROP CONSTRAINT market_abnormal_operations_pkey, ADD PRIMARY KEY (entry_id, version);
CREATE UNIQUE INDEX market_abnormal_operations_current_listing ON market_abnormal_operations (uscc, listed_on, reason) WHERE superseded_at IS NULL;

ALTER TABLE market_serious_violations
  ADD COLUMN entry_id uuid NOT NULL DEFAULT gen_random_uuid(),
  ADD COLUMN version integer NOT NULL DEFAULT 1,
  ADD COLUMN write_id uuid,
  ADD COLUMN superseded_at timestamptz;
ALTER TABLE market_serious_violations DROP CONSTRAINT market_serious_violations_pkey, ADD PRIMARY KEY (entry_id, version);
CREATE UNIQUE INDEX market_serious_violations_current_decision_no ON market_serious_violations (authority, decision_no) WHERE superseded_at IS NULL;

ALTER TABLE market_credit_commitments
  ADD COLUMN entry_id uuid NOT NULL DEFAULT gen_random_uuid(),
  ADD COLUMN version integer NOT NULL DEFAULT 1,
  ADD COLUMN write_id uuid,
  ADD COLUMN superseded_at timestamptz;
ALTER TABLE market_credit_commitments DROP CONSTRAINT market_credit_commitments_pkey, ADD PRIMARY KEY (entry_id, version);
CREATE UNIQUE INDEX market_credit_commitments_current ON market_credit_commitments (uscc, committed_on, matter) WHERE superseded_at IS NULL;
CREATE INDEX market_credit_commitments_uscc ON market_credit_commitments (uscc) WHERE superseded_at IS NULL;

-- A penalty is recorded when decided; its publication is a later step.
ALTER TABLE market_penalties ALTER COLUMN published_on DROP NOT NULL;
