-- Publication of major tax violation decisions (双公示): a case gains its deciding authority and
-- the day it was published (subgraphs/runtime/publication.ts); the day it was decided is the day
-- it was listed. Cases recorded before this migration were published on the list the day they were
-- listed (the list is the publication): that day is kept as their publication.
ALTER TABLE tax_major_violations ADD COLUMN authority text, ADD COLUMN published_on date;
UPDATE tax_major_violations SET published_on = listed_on;
CREATE INDEX tax_major_violations_listed_on ON tax_major_violations (listed_on) WHERE superseded_at IS NULL;
