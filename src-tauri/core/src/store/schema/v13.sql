-- Delegation Desk library, schema version 13: on the ground.
-- Vehicles with their drivers, transfer runs (airport pickups, drop-offs for departures, rides
-- to sessions) and who rides each, the arrivals desk's status of every flight, and check-in at
-- the event's door. Attendance at a session stays where it was (participant.attended_at): a
-- scan at a session's door writes there, so rosters and certificates read one truth.

CREATE TABLE vehicle (
    id             TEXT PRIMARY KEY,
    event_id       TEXT NOT NULL REFERENCES event(id) ON DELETE CASCADE,
    name           TEXT NOT NULL,
    kind           TEXT NOT NULL CHECK (kind IN ('car', 'van', 'minibus', 'bus')),
    seats          INTEGER NOT NULL CHECK (seats >= 1),
    plate          TEXT NOT NULL,
    driver_name    TEXT NOT NULL,
    driver_phone   TEXT NOT NULL,
    available_from TEXT,
    available_to   TEXT,
    notes          TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL
) STRICT;
CREATE INDEX vehicle_event ON vehicle(event_id);

CREATE TABLE transfer_run (
    id         TEXT PRIMARY KEY,
    event_id   TEXT NOT NULL REFERENCES event(id) ON DELETE CASCADE,
    kind       TEXT NOT NULL CHECK (kind IN ('pickup', 'dropoff', 'session')),
    leaves_at  TEXT NOT NULL,
    -- Where the ride starts and ends, as the driver reads it; `airport` is the airport (and
    -- terminal) of a pickup or drop-off, what the planner groups by.
    from_place TEXT NOT NULL,
    to_place   TEXT NOT NULL,
    airport    TEXT NOT NULL,
    vehicle_id TEXT REFERENCES vehicle(id) ON DELETE SET NULL,
    session_id TEXT REFERENCES session(id) ON DELETE CASCADE,
    greeter    TEXT NOT NULL,
    notes      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX transfer_run_event ON transfer_run(event_id, leaves_at);
CREATE INDEX transfer_run_vehicle ON transfer_run(vehicle_id);

-- A passenger of a run, with the flight they were planned for as it was then: a flight moved
-- or changed afterwards is found by comparing (the flight's own updated_at moves with every
-- status the desk sets).
CREATE TABLE run_passenger (
    id          TEXT PRIMARY KEY,
    run_id      TEXT NOT NULL REFERENCES transfer_run(id) ON DELETE CASCADE,
    official_id TEXT NOT NULL REFERENCES official(id) ON DELETE CASCADE,
    travel_id   TEXT REFERENCES travel(id) ON DELETE SET NULL,
    flight      TEXT NOT NULL,
    flight_at   TEXT,
    boarded_at  TEXT,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (run_id, official_id)
) STRICT;
CREATE INDEX run_passenger_official ON run_passenger(official_id);
CREATE INDEX run_passenger_travel ON run_passenger(travel_id);

-- Checked in at the event itself (the registration desk), once per official.
CREATE TABLE event_entry (
    id            TEXT PRIMARY KEY,
    event_id      TEXT NOT NULL REFERENCES event(id) ON DELETE CASCADE,
    official_id   TEXT NOT NULL UNIQUE REFERENCES official(id) ON DELETE CASCADE,
    checked_in_at TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL
) STRICT;
CREATE INDEX event_entry_event ON event_entry(event_id);

-- The arrivals desk: expected, landed, met, at the hotel (arrivals); expected, left the hotel,
-- at the airport (departures).
ALTER TABLE travel ADD COLUMN status TEXT NOT NULL DEFAULT 'expected'
    CHECK (status IN ('expected', 'landed', 'met', 'at_hotel', 'left_hotel', 'at_airport'));
