-- Delegation Desk library, schema version 3: undo and an event's history.
-- Each change log entry now knows the event it belongs to (so an event's history can be listed
-- even after the records it names are gone), its place in the order of changes (`seq`: the
-- rowid of a table without an INTEGER PRIMARY KEY may be renumbered by VACUUM), when it was
-- undone, and, for the entries an undo writes, which entry they undo.
ALTER TABLE change_log ADD COLUMN event_id TEXT;
ALTER TABLE change_log ADD COLUMN seq INTEGER;
ALTER TABLE change_log ADD COLUMN undone_at TEXT;
ALTER TABLE change_log ADD COLUMN undo_of TEXT;

-- Entries written before this version were inserted in rowid order.
UPDATE change_log SET seq = rowid;
UPDATE change_log SET event_id = CASE entity
    WHEN 'event' THEN entity_id
    WHEN 'travel' THEN (SELECT event_id FROM official
                         WHERE id = json_extract(coalesce(after, before), '$.official_id'))
    WHEN 'stay' THEN (SELECT event_id FROM official
                       WHERE id = json_extract(coalesce(after, before), '$.official_id'))
    WHEN 'room_block' THEN (SELECT event_id FROM hotel
                             WHERE id = json_extract(coalesce(after, before), '$.hotel_id'))
    WHEN 'venue_room' THEN (SELECT event_id FROM venue
                             WHERE id = json_extract(coalesce(after, before), '$.venue_id'))
    WHEN 'participant' THEN (SELECT event_id FROM session
                              WHERE id = json_extract(coalesce(after, before), '$.session_id'))
    ELSE json_extract(coalesce(after, before), '$.event_id')
END;

CREATE UNIQUE INDEX change_log_seq ON change_log(seq);
CREATE INDEX change_log_event ON change_log(event_id, seq);
CREATE INDEX change_log_batch ON change_log(batch_id);
