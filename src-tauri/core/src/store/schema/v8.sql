-- Delegation Desk library, schema version 8: an official may lodge elsewhere.
-- An official from abroad who stays with their embassy, family or a hotel of their own choice
-- needs no stay at the event's hotels; marked so, the check for a confirmed guest without a
-- hotel leaves them out.
ALTER TABLE official ADD COLUMN lodges_elsewhere INTEGER NOT NULL DEFAULT 0
    CHECK (lodges_elsewhere IN (0, 1));

-- What left the library on paper or in files: badges printed, PDFs, exports, itineraries and
-- registration forms saved, each under the officer who did it (the History shows them beside
-- the changes). Not undone and not logged as changes: a printed sheet cannot be taken back.
CREATE TABLE output_log (
    id         TEXT PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    event_id   TEXT REFERENCES event(id) ON DELETE CASCADE,
    action     TEXT NOT NULL CHECK (action IN ('print', 'pdf', 'export', 'itinerary', 'form')),
    what       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX output_log_event ON output_log(event_id, at);
