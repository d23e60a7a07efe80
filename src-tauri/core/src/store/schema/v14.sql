-- Delegation Desk library, schema version 14: protocol.
-- An official's protocol rank (a code of the office's ordered list, kept in the library's
-- settings as `protocol.ranks`), the order of the event's delegations (alphabetical in
-- English, the UN's practice; in Korean, 가나다; or as the officer arranges them, with
-- organisations before or after countries), the officer's own moves among equals, and a seat
-- per roster entry in the session's seating plan.

ALTER TABLE official ADD COLUMN protocol_rank TEXT NOT NULL DEFAULT '';
-- The officer's moves among officials of one rank and delegation: lower sits first.
ALTER TABLE official ADD COLUMN precedence INTEGER NOT NULL DEFAULT 0;

ALTER TABLE delegation ADD COLUMN precedence INTEGER NOT NULL DEFAULT 0;

ALTER TABLE event ADD COLUMN delegation_order TEXT NOT NULL DEFAULT 'name_en'
    CHECK (delegation_order IN ('name_en', 'name_ko', 'arranged'));
ALTER TABLE event ADD COLUMN organizations_first INTEGER NOT NULL DEFAULT 0
    CHECK (organizations_first IN (0, 1));

-- A session's seating plan: a head table (one line, the host in the middle), rows (a theatre
-- or classroom) or round tables, with the seats of a row or a table ('' has no plan).
ALTER TABLE session ADD COLUMN seating TEXT NOT NULL DEFAULT ''
    CHECK (seating IN ('', 'head_table', 'rows', 'rounds'));
ALTER TABLE session ADD COLUMN seats_per_table INTEGER NOT NULL DEFAULT 0
    CHECK (seats_per_table BETWEEN 0 AND 1000);

-- Where a roster entry sits: the table (the head table is 1; rows count from the front) and
-- the seat. No uniqueness here: two laptops may seat two people in one seat, and the checks
-- say so (a constraint would make one laptop's move vanish in a merge).
ALTER TABLE participant ADD COLUMN table_no INTEGER CHECK (table_no >= 1);
ALTER TABLE participant ADD COLUMN seat_no INTEGER CHECK (seat_no >= 1);
