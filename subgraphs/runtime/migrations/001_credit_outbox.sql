-- The credit events an agency has recorded, written in the same transaction as the facts they
-- tell of, and published to NATS JetStream by the agency's outbox relay (subgraphs/runtime/outbox.ts).
-- A row is never deleted by the relay: published_at and stream_seq say when and where it went.
CREATE TABLE IF NOT EXISTS credit_outbox (
  seq          bigserial PRIMARY KEY,
  event_id     uuid NOT NULL UNIQUE,
  subject      text NOT NULL,
  event        text NOT NULL,
  recorded_at  timestamptz NOT NULL DEFAULT now(),
  published_at timestamptz,
  stream_seq   bigint
);

-- What the relay reads: the events not yet published, oldest first.
CREATE INDEX IF NOT EXISTS credit_outbox_unpublished ON credit_outbox (seq) WHERE published_at IS NULL;
