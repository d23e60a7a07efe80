-- Delegation Desk library, schema version 9: sessions have audiences.
-- A session is for everyone attending the event, for chosen groups (categories and/or
-- delegations), or for a list of people; its roster is derived from that rule and from the
-- officials' status at every moment, so an official imported or confirmed late is on every
-- session meant for them. A roster entry is now an exception (added: in whatever the rule
-- says, which is how a list is kept; removed: out whatever the rule says) or the record of a
-- member in by the rule whose role, attendance or notes were set (rule).
ALTER TABLE session ADD COLUMN audience TEXT NOT NULL DEFAULT 'list'
    CHECK (audience IN ('everyone', 'groups', 'list'));
-- Comma-separated category codes and delegation ids; empty means any.
ALTER TABLE session ADD COLUMN audience_categories TEXT NOT NULL DEFAULT '';
ALTER TABLE session ADD COLUMN audience_delegations TEXT NOT NULL DEFAULT '';
ALTER TABLE participant ADD COLUMN membership TEXT NOT NULL DEFAULT 'added'
    CHECK (membership IN ('rule', 'added', 'removed'));

-- Today's rosters become audiences where they equal one: every official not cancelled (then
-- everyone), or every such official of one category and nobody else (then that category).
-- Otherwise the roster stays a list. Nobody leaves a roster either way: a member the rule
-- would not take in keeps an 'added' entry.
CREATE TEMP TABLE v9_coming AS
    SELECT id, event_id, category FROM official WHERE status <> 'cancelled';
CREATE TEMP TABLE v9_roster AS
    SELECT s.id AS session_id, s.event_id, count(*) AS n,
           min(c.category) AS low, max(c.category) AS high
      FROM participant p
      JOIN session s ON s.id = p.session_id
      JOIN v9_coming c ON c.id = p.official_id AND c.event_id = s.event_id
     GROUP BY s.id;
UPDATE session SET audience = 'everyone'
 WHERE id IN (SELECT r.session_id FROM v9_roster r
               WHERE r.n = (SELECT count(*) FROM v9_coming c WHERE c.event_id = r.event_id));
UPDATE session SET audience = 'groups',
       audience_categories = (SELECT low FROM v9_roster r WHERE r.session_id = session.id)
 WHERE audience = 'list'
   AND id IN (SELECT r.session_id FROM v9_roster r
               WHERE r.low = r.high
                 AND r.n = (SELECT count(*) FROM v9_coming c
                             WHERE c.event_id = r.event_id AND c.category = r.low)
                 -- A category of one person is a list of one, not a group.
                 AND r.n > 1);
-- An empty roster is everyone's where the event has nobody coming yet and the session is of
-- a kind everyone attends.
UPDATE session SET audience = 'everyone'
 WHERE audience = 'list' AND kind IN ('plenary', 'meal', 'ceremony')
   AND NOT EXISTS (SELECT 1 FROM v9_roster r WHERE r.session_id = session.id)
   AND NOT EXISTS (SELECT 1 FROM v9_coming c WHERE c.event_id = session.event_id);
UPDATE participant SET membership = 'rule'
 WHERE EXISTS (SELECT 1 FROM session s JOIN official o ON o.id = participant.official_id
                WHERE s.id = participant.session_id
                  AND (s.audience = 'everyone'
                       OR (s.audience = 'groups' AND o.category = s.audience_categories)));
DROP TABLE v9_coming;
DROP TABLE v9_roster;

-- What a session's rule reads of an official, in an index of its own: counting everyone, or a
-- category, of an event of 20,000 reads this index and not the officials' rows.
CREATE INDEX official_audience ON official(event_id, status, category, delegation_id);
-- A list's head-count is read from this index alone.
CREATE INDEX participant_membership ON participant(session_id, membership);
