-- A publication (双公示) is recorded through the write path like any write, but under no decision
-- document of its own: it publishes one already recorded. Its provenance row then has no decision.
ALTER TABLE credit_writes
  ALTER COLUMN authority DROP NOT NULL,
  ALTER COLUMN document_no DROP NOT NULL,
  ALTER COLUMN legal_basis DROP NOT NULL,
  ALTER COLUMN decided_on DROP NOT NULL;

-- Decisions found unpublished past their deadline (subgraphs/runtime/publication.ts): one row per
-- decision, written in the same transaction as the publication_overdue event that tells of it, so
-- that the scheduler's step is recorded once however often, and on however many replicas, it runs.
CREATE TABLE IF NOT EXISTS publication_overdue (
  entry_id    uuid PRIMARY KEY,
  kind        text NOT NULL,
  deadline    date NOT NULL,
  found_on    date NOT NULL,
  event_id    uuid NOT NULL,
  recorded_at timestamptz NOT NULL
);
