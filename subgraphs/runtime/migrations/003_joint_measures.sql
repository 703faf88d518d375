-- The joint measures (联合惩戒措施) this agency took in response to other agencies' credit events
-- (subgraphs/runtime/responder.ts): what, on whose event, on which legal basis, from when, and
-- when the event that lifted it came. A measure's facts are never changed; lifting sets
-- lifted_on and the lifting event once.
CREATE TABLE IF NOT EXISTS joint_measures (
  measure_id          uuid PRIMARY KEY DEFAULT gen_random_uuid(),
  uscc                text NOT NULL,
  measure             text NOT NULL,
  description         text NOT NULL,
  basis               text NOT NULL,
  source_event_id     uuid NOT NULL,
  source_agency       text NOT NULL,
  source_kind         text NOT NULL,
  source_entry_id     uuid,
  effective_from      timestamptz NOT NULL,
  lifted_on           timestamptz,
  lifted_by_event_id  uuid,
  recorded_at         timestamptz NOT NULL
);
-- One measure in force per measure and entry: an event delivered twice, or a second event on the
-- same entry, imposes nothing more.
CREATE UNIQUE INDEX IF NOT EXISTS joint_measures_in_force ON joint_measures (source_agency, source_entry_id, measure) WHERE lifted_on IS NULL;
CREATE INDEX IF NOT EXISTS joint_measures_uscc ON joint_measures (uscc);

-- The events this agency has responded to, once each: a redelivered event finds its row and is
-- acknowledged without acting again.
CREATE TABLE IF NOT EXISTS joint_responses (
  event_id      uuid PRIMARY KEY,
  stream_seq    bigint NOT NULL,
  subject       text NOT NULL,
  imposed       integer NOT NULL,
  lifted        integer NOT NULL,
  responded_at  timestamptz NOT NULL
);
