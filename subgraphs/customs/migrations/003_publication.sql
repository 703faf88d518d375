-- Publication of penalty decisions (双公示): a customs violation decision gains its deciding
-- authority and the day it was published (subgraphs/runtime/publication.ts). Rows recorded before
-- this migration have neither: their publication was not recorded, so they read as unpublished.
ALTER TABLE customs_violations ADD COLUMN authority text, ADD COLUMN published_on date;
CREATE INDEX customs_violations_decided_on ON customs_violations (decided_on) WHERE superseded_at IS NULL;
