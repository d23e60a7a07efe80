-- Delegation Desk library, schema version 8: an official may lodge elsewhere.
-- An official from abroad who stays with their embassy, family or a hotel of their own choice
-- needs no stay at the event's hotels; marked so, the check for a confirmed guest without a
-- hotel leaves them out.
ALTER TABLE official ADD COLUMN lodges_elsewhere INTEGER NOT NULL DEFAULT 0
    CHECK (lodges_elsewhere IN (0, 1));
