-- Delegation Desk library, schema version 1.
-- Ownership chains cascade in SQL so that deleting an event removes everything in it; the
-- "ask first" rules (a delegation that still has officials, a hotel with stays…) are checked in
-- Rust before a delete, because they need a message for the officer, not a constraint error.

CREATE TABLE setting (
    key         TEXT PRIMARY KEY,
    value       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL
) STRICT;

CREATE TABLE event (
    id                TEXT PRIMARY KEY,
    name_en           TEXT NOT NULL,
    name_ko           TEXT NOT NULL,
    start_date        TEXT NOT NULL,
    end_date          TEXT NOT NULL,
    time_zone         TEXT NOT NULL,
    city              TEXT NOT NULL,
    host              TEXT NOT NULL,
    emergency_contact TEXT NOT NULL,
    notes             TEXT NOT NULL,
    created_at        TEXT NOT NULL,
    updated_at        TEXT NOT NULL,
    CHECK (end_date >= start_date)
) STRICT;

CREATE TABLE delegation (
    id               TEXT PRIMARY KEY,
    event_id         TEXT NOT NULL REFERENCES event(id) ON DELETE CASCADE,
    kind             TEXT NOT NULL CHECK (kind IN ('country', 'organization')),
    country_code     TEXT,
    org_code         TEXT,
    name_en          TEXT NOT NULL,
    name_ko          TEXT NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('invited', 'confirmed', 'declined', 'withdrawn')),
    seats            INTEGER NOT NULL CHECK (seats >= 0),
    head_official_id TEXT REFERENCES official(id) ON DELETE SET NULL,
    liaison_name     TEXT NOT NULL,
    liaison_phone    TEXT NOT NULL,
    liaison_email    TEXT NOT NULL,
    notes            TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL
) STRICT;
CREATE INDEX delegation_event ON delegation(event_id);

CREATE TABLE official (
    id                      TEXT PRIMARY KEY,
    event_id                TEXT NOT NULL REFERENCES event(id) ON DELETE CASCADE,
    delegation_id           TEXT REFERENCES delegation(id) ON DELETE CASCADE,
    honorific               TEXT NOT NULL,
    family_name             TEXT NOT NULL,
    given_name              TEXT NOT NULL,
    native_name             TEXT NOT NULL,
    badge_name              TEXT NOT NULL,
    position                TEXT NOT NULL,
    organization            TEXT NOT NULL,
    category                TEXT NOT NULL CHECK (category IN ('head_of_delegation', 'delegate', 'speaker',
                                'observer', 'vip', 'staff', 'press', 'interpreter')),
    gender                  TEXT NOT NULL CHECK (gender IN ('female', 'male', 'other', 'unspecified')),
    email                   TEXT NOT NULL,
    phone                   TEXT NOT NULL,
    nationality             TEXT NOT NULL,
    birth_date              TEXT,
    passport_number         TEXT NOT NULL,
    passport_expiry         TEXT,
    dietary                 TEXT NOT NULL,
    accessibility           TEXT NOT NULL,
    interpretation_language TEXT NOT NULL,
    language                TEXT NOT NULL CHECK (language IN ('en', 'ko')),
    status                  TEXT NOT NULL CHECK (status IN ('invited', 'registered', 'confirmed', 'cancelled')),
    notes                   TEXT NOT NULL,
    -- Every name form, the organisation and the delegation's names, case- and accent-folded,
    -- so one LIKE finds an official however the officer types the name.
    search_text             TEXT NOT NULL DEFAULT '',
    created_at              TEXT NOT NULL,
    updated_at              TEXT NOT NULL
) STRICT;
CREATE INDEX official_event ON official(event_id, family_name, given_name);
CREATE INDEX official_delegation ON official(delegation_id);

CREATE TABLE travel (
    id           TEXT PRIMARY KEY,
    official_id  TEXT NOT NULL REFERENCES official(id) ON DELETE CASCADE,
    direction    TEXT NOT NULL CHECK (direction IN ('arrival', 'departure')),
    flight       TEXT NOT NULL,
    origin       TEXT NOT NULL,
    airport      TEXT NOT NULL,
    scheduled_at TEXT NOT NULL,
    pickup       INTEGER NOT NULL CHECK (pickup IN (0, 1)),
    greeter      TEXT NOT NULL,
    notes        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT;
CREATE INDEX travel_official ON travel(official_id);

CREATE TABLE hotel (
    id           TEXT PRIMARY KEY,
    event_id     TEXT NOT NULL REFERENCES event(id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    name_ko      TEXT NOT NULL,
    address      TEXT NOT NULL,
    phone        TEXT NOT NULL,
    email        TEXT NOT NULL,
    contact_name TEXT NOT NULL,
    notes        TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT;
CREATE INDEX hotel_event ON hotel(event_id);

CREATE TABLE room_block (
    id          TEXT PRIMARY KEY,
    hotel_id    TEXT NOT NULL REFERENCES hotel(id) ON DELETE CASCADE,
    room_type   TEXT NOT NULL,
    occupancy   INTEGER NOT NULL CHECK (occupancy >= 1),
    first_night TEXT NOT NULL,
    last_night  TEXT NOT NULL,
    rooms       INTEGER NOT NULL CHECK (rooms >= 0),
    notes       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    CHECK (last_night >= first_night)
) STRICT;
CREATE INDEX room_block_hotel ON room_block(hotel_id);

CREATE TABLE stay (
    id               TEXT PRIMARY KEY,
    official_id      TEXT NOT NULL REFERENCES official(id) ON DELETE CASCADE,
    hotel_id         TEXT NOT NULL REFERENCES hotel(id) ON DELETE CASCADE,
    room_block_id    TEXT REFERENCES room_block(id) ON DELETE SET NULL,
    check_in         TEXT NOT NULL,
    check_out        TEXT NOT NULL,
    room_number      TEXT NOT NULL,
    shares_with_id   TEXT REFERENCES official(id) ON DELETE SET NULL,
    special_requests TEXT NOT NULL,
    notes            TEXT NOT NULL,
    created_at       TEXT NOT NULL,
    updated_at       TEXT NOT NULL,
    CHECK (check_out > check_in)
) STRICT;
CREATE INDEX stay_official ON stay(official_id);
CREATE INDEX stay_hotel ON stay(hotel_id);

CREATE TABLE venue (
    id         TEXT PRIMARY KEY,
    event_id   TEXT NOT NULL REFERENCES event(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    name_ko    TEXT NOT NULL,
    address    TEXT NOT NULL,
    phone      TEXT NOT NULL,
    notes      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX venue_event ON venue(event_id);

CREATE TABLE venue_room (
    id         TEXT PRIMARY KEY,
    venue_id   TEXT NOT NULL REFERENCES venue(id) ON DELETE CASCADE,
    name       TEXT NOT NULL,
    name_ko    TEXT NOT NULL,
    capacity   INTEGER NOT NULL CHECK (capacity >= 0),
    floor      TEXT NOT NULL,
    notes      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX venue_room_venue ON venue_room(venue_id);

CREATE TABLE session (
    id            TEXT PRIMARY KEY,
    event_id      TEXT NOT NULL REFERENCES event(id) ON DELETE CASCADE,
    kind          TEXT NOT NULL CHECK (kind IN ('plenary', 'panel', 'workshop', 'site_visit', 'meal',
                      'transfer', 'ceremony', 'break', 'other')),
    title_en      TEXT NOT NULL,
    title_ko      TEXT NOT NULL,
    starts_at     TEXT NOT NULL,
    ends_at       TEXT NOT NULL,
    venue_room_id TEXT REFERENCES venue_room(id) ON DELETE SET NULL,
    location      TEXT NOT NULL,
    description   TEXT NOT NULL,
    notes         TEXT NOT NULL,
    created_at    TEXT NOT NULL,
    updated_at    TEXT NOT NULL,
    CHECK (ends_at > starts_at)
) STRICT;
CREATE INDEX session_event ON session(event_id, starts_at);
CREATE INDEX session_room ON session(venue_room_id);

CREATE TABLE participant (
    id          TEXT PRIMARY KEY,
    session_id  TEXT NOT NULL REFERENCES session(id) ON DELETE CASCADE,
    official_id TEXT NOT NULL REFERENCES official(id) ON DELETE CASCADE,
    role        TEXT NOT NULL CHECK (role IN ('participant', 'speaker', 'moderator', 'chair', 'panelist',
                    'guest', 'staff')),
    attended_at TEXT,
    notes       TEXT NOT NULL,
    created_at  TEXT NOT NULL,
    updated_at  TEXT NOT NULL,
    UNIQUE (session_id, official_id)
) STRICT;
CREATE INDEX participant_official ON participant(official_id);

-- Kept without foreign keys: the log must outlive the records it describes.
CREATE TABLE change_log (
    id         TEXT PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    entity     TEXT NOT NULL,
    entity_id  TEXT NOT NULL,
    action     TEXT NOT NULL CHECK (action IN ('create', 'update', 'delete')),
    before     TEXT,
    after      TEXT,
    batch_id   TEXT,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
CREATE INDEX change_log_entity ON change_log(entity_id);
CREATE INDEX change_log_at ON change_log(at);
