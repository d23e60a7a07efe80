-- Delegation Desk library, schema version 5: badge prints.
-- One row each time an official's badge is printed, so that "not printed yet" can be chosen and
-- a reprint asks first. A print record is history, not an editable record: it is not in the
-- change log and goes with its official when the official is deleted.
CREATE TABLE badge_print (
    id          TEXT PRIMARY KEY,
    official_id TEXT NOT NULL REFERENCES official(id) ON DELETE CASCADE,
    printed_at  TEXT NOT NULL,
    layout      TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX badge_print_official ON badge_print(official_id, printed_at);
