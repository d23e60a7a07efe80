-- Delegation Desk library, schema version 7: the officials' name order carries their search
-- text.
-- A search of a common word (2,000 matches and more) walks the officials in name order and
-- stops after a page. With the search text in that index, SQLite tests each entry there and
-- reads the row only for a match (a deferred seek); before, it read every row it passed, and
-- a two-letter word took twice as long as the others. The narrow search index held nothing
-- else, so it goes: the count scans this index instead, about the same size, and an import
-- maintains one index fewer.
DROP INDEX official_search;
DROP INDEX official_event;
CREATE INDEX official_event ON official(event_id, family_name COLLATE NOCASE, given_name COLLATE NOCASE, id, search_text);
