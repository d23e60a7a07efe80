-- Delegation Desk library, schema version 11: team sync.
-- An event shared with a team has a team (its id and key, the key being what every bundle
-- of the event is sealed with); every change to it, made here or received, is kept as the
-- changeset SQLite's session extension recorded, numbered per laptop, so that a bundle can
-- carry everything this laptop knows and a change received twice is recognised.
CREATE TABLE sync_event (
    event_id   TEXT PRIMARY KEY REFERENCES event(id) ON DELETE CASCADE,
    team       TEXT NOT NULL,
    team_code  TEXT NOT NULL,
    -- A shared folder this laptop writes its bundle to and reads the others' from.
    folder     TEXT,
    shared_at  TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE sync_change (
    event_id  TEXT NOT NULL REFERENCES event(id) ON DELETE CASCADE,
    laptop    TEXT NOT NULL,
    seq       INTEGER NOT NULL,
    -- The hybrid logical clock of the change: milliseconds, counter, laptop; text that sorts
    -- in time order and is unique to the change.
    hlc       TEXT NOT NULL,
    author    TEXT NOT NULL,
    at        TEXT NOT NULL,
    rows      INTEGER NOT NULL,
    changeset BLOB NOT NULL,
    PRIMARY KEY (event_id, laptop, seq)
) STRICT;
CREATE INDEX sync_change_hlc ON sync_change(hlc);

-- The clocks of the last-writer-wins registers: the change that last set each field of each
-- row ('' for the row's existence: its insert, or its delete, which leaves a tombstone). A
-- field written later than a delete that took its row keeps its value here (`ghost`), for
-- the row's return: an edit made elsewhere after the delete is not lost by it.
CREATE TABLE sync_clock (
    entity    TEXT NOT NULL,
    entity_id TEXT NOT NULL,
    field     TEXT NOT NULL,
    hlc       TEXT NOT NULL,
    ghost     BLOB,
    PRIMARY KEY (entity, entity_id, field)
) STRICT, WITHOUT ROWID;
-- Rows kept while their parent is gone, and values kept while their row or the record a link
-- names is gone, looked for after every change.
CREATE INDEX sync_clock_kept ON sync_clock(entity, entity_id) WHERE field = '' AND ghost IS NOT NULL;
CREATE INDEX sync_clock_kept_fields ON sync_clock(entity, entity_id, field)
    WHERE field <> '' AND ghost IS NOT NULL;

-- What a merge overwrote or took away, for the officer to review and reverse.
CREATE TABLE sync_conflict (
    id          TEXT PRIMARY KEY,
    event_id    TEXT NOT NULL REFERENCES event(id) ON DELETE CASCADE,
    at          TEXT NOT NULL,
    kind        TEXT NOT NULL CHECK (kind IN ('value', 'deleted', 'edit_dropped', 'duplicate')),
    entity      TEXT NOT NULL,
    entity_id   TEXT NOT NULL,
    field       TEXT NOT NULL DEFAULT '',
    -- JSON: the value kept and the value that lost (for 'deleted', the rows' images).
    kept        TEXT,
    lost        TEXT,
    kept_hlc    TEXT NOT NULL DEFAULT '',
    lost_hlc    TEXT NOT NULL DEFAULT '',
    reversed_at TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;
CREATE INDEX sync_conflict_event ON sync_conflict(event_id, at);

-- When no event is shared any more (the last one deleted, or purged, here), the clocks go,
-- and with them any value kept for a record's return: they may hold personal data.
CREATE TRIGGER sync_event_last_gone AFTER DELETE ON sync_event
WHEN NOT EXISTS (SELECT 1 FROM sync_event) BEGIN
    DELETE FROM sync_clock;
END;
