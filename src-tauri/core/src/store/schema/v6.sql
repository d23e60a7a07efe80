-- Delegation Desk library, schema version 6: a leaner change log.
-- Every write adds one change-log entry, and an import writes tens of thousands in one go, each
-- paying for every index on the table. `seq` has ordered the log since version 3; no query
-- looks entries up by time or by the record they are about, so those two indexes only cost
-- writes. (A record's own history, when the app shows one, can bring the second back.)
DROP INDEX change_log_at;
DROP INDEX change_log_entity;

-- A flight or stay inserted by the engine now comes with its event and search text, computed
-- by the same expressions; the insert triggers fill them only for rows that come without
-- (undo writing a row back, older code). Updating a row just inserted rewrote it and its
-- indexes a second time, for every flight and stay of an import.
DROP TRIGGER travel_derive_insert;
CREATE TRIGGER travel_derive_insert AFTER INSERT ON travel WHEN NEW.event_id = '' BEGIN
    UPDATE travel SET
        event_id = coalesce((SELECT o.event_id FROM official o WHERE o.id = NEW.official_id), ''),
        search_text = coalesce((SELECT o.search_text FROM official o WHERE o.id = NEW.official_id), '')
            || ' ' || lower(NEW.flight || ' ' || NEW.origin || ' ' || NEW.airport || ' ' || NEW.greeter)
     WHERE id = NEW.id;
END;
DROP TRIGGER stay_derive_insert;
CREATE TRIGGER stay_derive_insert AFTER INSERT ON stay WHEN NEW.event_id = '' BEGIN
    UPDATE stay SET
        event_id = coalesce((SELECT o.event_id FROM official o WHERE o.id = stay.official_id), ''),
        search_text = coalesce((
            SELECT o.search_text || ' ' || lower(h.name || ' ' || coalesce(b.room_type, '') || ' '
                   || stay.room_number || ' ' || coalesce(m.family_name || ' ' || m.given_name, ''))
              FROM official o JOIN hotel h ON h.id = stay.hotel_id
              LEFT JOIN room_block b ON b.id = stay.room_block_id
              LEFT JOIN official m ON m.id = stay.shares_with_id
             WHERE o.id = stay.official_id), '')
     WHERE id = NEW.id;
END;
