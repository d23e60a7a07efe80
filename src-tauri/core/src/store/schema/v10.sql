-- Delegation Desk library, schema version 10: a purge of an event's personal data is
-- recorded beside the outputs (who, when, what went, in counts; never a value), and an event
-- says when its personal data was purged and how many days after its end the dashboard
-- reminds the officer to purge it.
CREATE TABLE output_log_v10 (
    id         TEXT PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    event_id   TEXT REFERENCES event(id) ON DELETE CASCADE,
    action     TEXT NOT NULL
        CHECK (action IN ('print', 'pdf', 'export', 'itinerary', 'form', 'purge')),
    what       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
INSERT INTO output_log_v10 SELECT * FROM output_log;
DROP TABLE output_log;
ALTER TABLE output_log_v10 RENAME TO output_log;
CREATE INDEX output_log_event ON output_log(event_id, at);

ALTER TABLE event ADD COLUMN purged_at TEXT;
ALTER TABLE event ADD COLUMN purge_reminder_days INTEGER NOT NULL DEFAULT 30
    CHECK (purge_reminder_days BETWEEN 0 AND 3650);
