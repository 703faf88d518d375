-- Publication of licensing and penalty decisions (双公示): each is published within 7 working days
-- of the decision (subgraphs/runtime/publication.ts), with the fields the rules name. A penalty
-- gains its category (处罚类别), cause (处罚事由) and result (处罚结果) beside its basis; a licence its
-- decision number, category (许可类别) and the day it was published. Licences recorded before this
-- migration were shown to the public as published, on the day of their grant as far as the record
-- says: that day is kept as their publication, rather than turning every one of them unpublished
-- and overdue at the upgrade.
ALTER TABLE market_penalties ADD COLUMN category text, ADD COLUMN cause text, ADD COLUMN result text;
ALTER TABLE market_licences ADD COLUMN decision_no text, ADD COLUMN category text, ADD COLUMN published_on date;
UPDATE market_licences SET published_on = granted_on;

-- The compliance report reads decisions by the day they were made.
CREATE INDEX market_penalties_decided_on ON market_penalties (decided_on) WHERE superseded_at IS NULL;
CREATE INDEX market_licences_granted_on ON market_licences (granted_on) WHERE superseded_at IS NULL;
