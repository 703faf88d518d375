-- Publication of major tax violation decisions (双公示): a case gains its deciding authority and
-- the day it was published (subgraphs/runtime/publication.ts); the day it was decided is the day
-- it was listed. Rows recorded before this migration have neither: their publication was not
-- recorded, so they read as unpublished.
ALTER TABLE tax_major_violations ADD COLUMN authority text, ADD COLUMN published_on date;
CREATE INDEX tax_major_violations_listed_on ON tax_major_violations (listed_on) WHERE superseded_at IS NULL;
