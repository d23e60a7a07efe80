-- Delegation Desk library, schema version 4: lists and searches that stay fast at 20,000
-- officials.
--
-- Flights and stays carry their event and their folded search text. Both were found through
-- the official (and, for stays, the hotel, room block and room-mate) on every count and every
-- keystroke, which meant tens of thousands of lookups per call. They are derived data kept by
-- the triggers below, whatever writes the rows (the engine, undo, an import, the generator),
-- and are not part of the records: the change log and backups never mention them.
-- They carry no foreign key on purpose: the delete cascade the engine logs follows every
-- foreign key of the schema, and these columns are not links an officer made.
ALTER TABLE travel ADD COLUMN event_id TEXT NOT NULL DEFAULT '';
ALTER TABLE travel ADD COLUMN search_text TEXT NOT NULL DEFAULT '';
ALTER TABLE stay ADD COLUMN event_id TEXT NOT NULL DEFAULT '';
ALTER TABLE stay ADD COLUMN search_text TEXT NOT NULL DEFAULT '';

-- The haystacks are exactly what the lists searched before, row by row: the official's search
-- text, then the row's own words (SQLite's lower(), which folds ASCII only, as before).
CREATE TRIGGER travel_derive_insert AFTER INSERT ON travel BEGIN
    UPDATE travel SET
        event_id = coalesce((SELECT o.event_id FROM official o WHERE o.id = NEW.official_id), ''),
        search_text = coalesce((SELECT o.search_text FROM official o WHERE o.id = NEW.official_id), '')
            || ' ' || lower(NEW.flight || ' ' || NEW.origin || ' ' || NEW.airport || ' ' || NEW.greeter)
     WHERE id = NEW.id;
END;
CREATE TRIGGER travel_derive_update AFTER UPDATE OF official_id, flight, origin, airport, greeter ON travel BEGIN
    UPDATE travel SET
        event_id = coalesce((SELECT o.event_id FROM official o WHERE o.id = NEW.official_id), ''),
        search_text = coalesce((SELECT o.search_text FROM official o WHERE o.id = NEW.official_id), '')
            || ' ' || lower(NEW.flight || ' ' || NEW.origin || ' ' || NEW.airport || ' ' || NEW.greeter)
     WHERE id = NEW.id;
END;

CREATE TRIGGER stay_derive_insert AFTER INSERT ON stay BEGIN
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
CREATE TRIGGER stay_derive_update
AFTER UPDATE OF official_id, hotel_id, room_block_id, room_number, shares_with_id ON stay BEGIN
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

-- The official's search text changes after every save of the official or of its delegation
-- (store::refresh_search); their flights and stays follow. A room-mate's name is in the stays
-- that share with them.
CREATE TRIGGER official_derive_update AFTER UPDATE OF event_id, search_text, family_name, given_name ON official BEGIN
    UPDATE travel SET
        event_id = NEW.event_id,
        search_text = NEW.search_text || ' ' || lower(flight || ' ' || origin || ' ' || airport || ' ' || greeter)
     WHERE official_id = NEW.id;
    UPDATE stay SET
        event_id = coalesce((SELECT o.event_id FROM official o WHERE o.id = stay.official_id), ''),
        search_text = coalesce((
            SELECT o.search_text || ' ' || lower(h.name || ' ' || coalesce(b.room_type, '') || ' '
                   || stay.room_number || ' ' || coalesce(m.family_name || ' ' || m.given_name, ''))
              FROM official o JOIN hotel h ON h.id = stay.hotel_id
              LEFT JOIN room_block b ON b.id = stay.room_block_id
              LEFT JOIN official m ON m.id = stay.shares_with_id
             WHERE o.id = stay.official_id), '')
     WHERE official_id = NEW.id OR shares_with_id = NEW.id;
END;
CREATE TRIGGER hotel_derive_update AFTER UPDATE OF name ON hotel BEGIN
    UPDATE stay SET
        search_text = coalesce((
            SELECT o.search_text || ' ' || lower(h.name || ' ' || coalesce(b.room_type, '') || ' '
                   || stay.room_number || ' ' || coalesce(m.family_name || ' ' || m.given_name, ''))
              FROM official o JOIN hotel h ON h.id = stay.hotel_id
              LEFT JOIN room_block b ON b.id = stay.room_block_id
              LEFT JOIN official m ON m.id = stay.shares_with_id
             WHERE o.id = stay.official_id), '')
     WHERE hotel_id = NEW.id;
END;
CREATE TRIGGER room_block_derive_update AFTER UPDATE OF room_type ON room_block BEGIN
    UPDATE stay SET
        search_text = coalesce((
            SELECT o.search_text || ' ' || lower(h.name || ' ' || coalesce(b.room_type, '') || ' '
                   || stay.room_number || ' ' || coalesce(m.family_name || ' ' || m.given_name, ''))
              FROM official o JOIN hotel h ON h.id = stay.hotel_id
              LEFT JOIN room_block b ON b.id = stay.room_block_id
              LEFT JOIN official m ON m.id = stay.shares_with_id
             WHERE o.id = stay.official_id), '')
     WHERE room_block_id = NEW.id;
END;

-- Existing rows, once.
UPDATE travel SET
    event_id = coalesce((SELECT o.event_id FROM official o WHERE o.id = travel.official_id), ''),
    search_text = coalesce((SELECT o.search_text FROM official o WHERE o.id = travel.official_id), '')
        || ' ' || lower(flight || ' ' || origin || ' ' || airport || ' ' || greeter);
UPDATE stay SET
    event_id = coalesce((SELECT o.event_id FROM official o WHERE o.id = stay.official_id), ''),
    search_text = coalesce((
        SELECT o.search_text || ' ' || lower(h.name || ' ' || coalesce(b.room_type, '') || ' '
               || stay.room_number || ' ' || coalesce(m.family_name || ' ' || m.given_name, ''))
          FROM official o JOIN hotel h ON h.id = stay.hotel_id
          LEFT JOIN room_block b ON b.id = stay.room_block_id
          LEFT JOIN official m ON m.id = stay.shares_with_id
         WHERE o.id = stay.official_id), '');

-- The default orders of the lists, so that a first page walks an index instead of sorting
-- the event: officials by name as the list compares names (NOCASE), flights by time.
DROP INDEX official_event;
CREATE INDEX official_event ON official(event_id, family_name COLLATE NOCASE, given_name COLLATE NOCASE, id);
CREATE INDEX travel_event ON travel(event_id, scheduled_at, id);
-- Counting what a search finds reads these narrow indexes instead of whole rows.
CREATE INDEX official_search ON official(event_id, search_text);
CREATE INDEX travel_search ON travel(event_id, search_text);
CREATE INDEX stay_search ON stay(event_id, search_text);
-- A deleted official clears the room-mate links to them, a deleted block its stays' links;
-- both searched the whole stay table.
CREATE INDEX stay_shares ON stay(shares_with_id);
CREATE INDEX stay_block ON stay(room_block_id);
