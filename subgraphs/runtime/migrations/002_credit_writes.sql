-- Every write an agency's officers made through its mutations: who, for which enterprise, under
-- which decision document and legal basis, when, with what input, and what was answered. A row is
-- never changed. It serves three ends:
-- - provenance: each entry version written through the graph points here (write_id);
-- - idempotency: the same caller's same key again returns the stored answer and writes nothing;
-- - uniqueness of decision documents: one number per issuing authority.
CREATE TABLE IF NOT EXISTS credit_writes (
  write_id         uuid PRIMARY KEY,
  recorded_by      text NOT NULL,
  idempotency_key  text NOT NULL,
  request_hash     text NOT NULL,
  mutation         text NOT NULL,
  uscc             text NOT NULL,
  caller_agency    text NOT NULL,
  caller_region    text,
  purpose          text,
  request_id       text NOT NULL,
  authority        text NOT NULL,
  document_no      text NOT NULL,
  legal_basis      text NOT NULL,
  decided_on       date NOT NULL,
  recorded_at      timestamptz NOT NULL,
  input            text NOT NULL,
  answer           text NOT NULL,
  UNIQUE (recorded_by, idempotency_key),
  UNIQUE (authority, document_no)
);
CREATE INDEX IF NOT EXISTS credit_writes_uscc ON credit_writes (uscc, recorded_at);
