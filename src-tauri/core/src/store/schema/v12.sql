-- Delegation Desk library, schema version 12: letters and certificates.
-- The words of each kind of letter in each language are the officer's, kept here as text with
-- placeholders (never typesetting code); a kind with no row here uses the engine's default.
CREATE TABLE letter_template (
    kind       TEXT NOT NULL CHECK (kind IN ('visa', 'invitation', 'certificate', 'thanks')),
    lang       TEXT NOT NULL CHECK (lang IN ('en', 'ko')),
    subject    TEXT NOT NULL,
    recipient  TEXT NOT NULL,
    body       TEXT NOT NULL,
    closing    TEXT NOT NULL,
    email      TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    PRIMARY KEY (kind, lang)
) STRICT;

-- The office's letterhead, one for the library: its name, address and signatory in both
-- languages, and the prefix of its outgoing document numbers.
CREATE TABLE letterhead (
    id           INTEGER PRIMARY KEY CHECK (id = 1),
    office_en    TEXT NOT NULL,
    office_ko    TEXT NOT NULL,
    address_en   TEXT NOT NULL,
    address_ko   TEXT NOT NULL,
    phone        TEXT NOT NULL,
    email        TEXT NOT NULL,
    signatory_en TEXT NOT NULL,
    signatory_ko TEXT NOT NULL,
    title_en     TEXT NOT NULL,
    title_ko     TEXT NOT NULL,
    prefix       TEXT NOT NULL,
    created_at   TEXT NOT NULL,
    updated_at   TEXT NOT NULL
) STRICT;

-- The logo and the seal (or signature): the file as imported (PNG, JPEG or SVG, for the PDF)
-- and a PNG made from it once (for DOCX, which takes no SVG).
CREATE TABLE letter_image (
    name       TEXT PRIMARY KEY CHECK (name IN ('logo', 'seal')),
    format     TEXT NOT NULL CHECK (format IN ('png', 'jpg', 'svg')),
    original   BLOB NOT NULL,
    png        BLOB NOT NULL,
    width_px   INTEGER NOT NULL,
    height_px  INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;

-- The register of outgoing documents: one number per letter of a kind to a recipient, given
-- when it is first written and kept when it is written again (a corrected letter is the same
-- document). Numbers run per year across the library, as a public office numbers its mail.
CREATE TABLE letter_register (
    id             TEXT PRIMARY KEY,
    event_id       TEXT NOT NULL REFERENCES event(id) ON DELETE CASCADE,
    number         TEXT NOT NULL UNIQUE,
    year           INTEGER NOT NULL,
    seq            INTEGER NOT NULL,
    kind           TEXT NOT NULL,
    -- The official or delegation it is for (no foreign key: the register outlives them).
    recipient_id   TEXT NOT NULL,
    recipient      TEXT NOT NULL,
    lang           TEXT NOT NULL,
    format         TEXT NOT NULL,
    issued_at      TEXT NOT NULL,
    last_issued_at TEXT NOT NULL,
    times          INTEGER NOT NULL,
    officer        TEXT NOT NULL,
    created_at     TEXT NOT NULL,
    updated_at     TEXT NOT NULL,
    UNIQUE (event_id, kind, recipient_id),
    UNIQUE (year, seq)
) STRICT;
CREATE INDEX letter_register_event ON letter_register(event_id, year, seq);

-- Letters written join the outputs the history records.
CREATE TABLE output_log_v12 (
    id         TEXT PRIMARY KEY,
    at         TEXT NOT NULL,
    actor      TEXT NOT NULL,
    event_id   TEXT REFERENCES event(id) ON DELETE CASCADE,
    action     TEXT NOT NULL
        CHECK (action IN ('print', 'pdf', 'export', 'itinerary', 'letter', 'form', 'purge')),
    what       TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
) STRICT;
INSERT INTO output_log_v12 SELECT * FROM output_log;
DROP TABLE output_log;
ALTER TABLE output_log_v12 RENAME TO output_log;
CREATE INDEX output_log_event ON output_log(event_id, at);
