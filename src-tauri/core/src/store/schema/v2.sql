-- Delegation Desk library, schema version 2: the host country of an event, so that the
-- logistics checks know which officials travel from abroad. Existing events were all hosted
-- in Korea by the office that made them.
ALTER TABLE event ADD COLUMN host_country TEXT NOT NULL DEFAULT 'KR';
