-- Publication of penalty decisions (双公示): a customs violation decision gains its deciding
-- authority and the day it was published (subgraphs/runtime/publication.ts). Decisions recorded
-- before this migration were shown to the public as published: the day of the decision is kept as
-- their publication (the record holds no other), rather than turning them unpublished and overdue.
ALTER TABLE customs_violations ADD COLUMN authority text, ADD COLUMN published_on date;
UPDATE customs_violations SET published_on = decided_on;
CREATE INDEX customs_violations_decided_on ON customs_violations (decided_on) WHERE superseded_at IS NULL;
