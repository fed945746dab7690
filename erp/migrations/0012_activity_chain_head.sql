-- The commit-time link in fewer, cheaper steps (reversed by 0012_activity_chain_head_reverse.sql; docs/activity.md,
-- "How the log is kept"). It runs inside every write's lock window (a number is taken last, its period stays
-- locked until commit), so each step it saves is saved for every other issuer too:
-- - each entity's chain has a head row (erp_activity_chainhead: last seq and hash); one UPDATE … RETURNING locks
--   it, moves it and computes the new hash, instead of an advisory lock and an ORDER BY seq DESC LIMIT 1;
-- - the canonical bytes are one concatenation, not unnest/string_agg (the same text);
-- - the lock of every entity of the transaction, in entity order (0011), is taken only when the transaction
--   has unlinked rows of another entity;
-- - the append-only and starts-unchained guards run only when a row would be refused or cleared;
-- - a row's entity is checked at its insert, before the write takes its number.
-- The hash, the rows and where seq/chain_hash live are unchanged: every reader and verifier stays as it was.

-- The bytes a row's hash covers with `at_seq` as its seq (erp.services.activity.canonical_bytes mirrors it).
-- Every column is NOT NULL and at_seq is given, so the concatenation equals 0009's string_agg.
CREATE FUNCTION erp_activity_canonical(a erp_activity, at_seq bigint) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT octet_length(a.id::text) || ':' || a.id::text || ','
        || octet_length(a.entity_id::text) || ':' || a.entity_id::text || ','
        || octet_length(at_seq::text) || ':' || at_seq::text || ','
        || octet_length(to_char(a.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')) || ':'
        || to_char(a.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') || ','
        || octet_length(a.actor_type) || ':' || a.actor_type || ','
        || octet_length(a.actor_id) || ':' || a.actor_id || ','
        || octet_length(a.actor_name) || ':' || a.actor_name || ','
        || octet_length(a.channel) || ':' || a.channel || ','
        || octet_length(a.action) || ':' || a.action || ','
        || octet_length(a.object_type) || ':' || a.object_type || ','
        || octet_length(a.object_id) || ':' || a.object_id || ','
        || octet_length(a.request_id) || ':' || a.request_id || ','
        || octet_length(a.reason) || ':' || a.reason || ','
        || octet_length(a.changes::text) || ':' || a.changes::text || ','
$$;

CREATE OR REPLACE FUNCTION erp_activity_canonical(a erp_activity) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT erp_activity_canonical(a, a.seq)
$$;

-- Every entity has its head from its creation, so the link always finds one to lock.
CREATE FUNCTION erp_activity_chain_head_create() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO erp_activity_chainhead (entity_id, seq, chain_hash) VALUES (NEW.id, 0, '') ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE TRIGGER erp_activity_chain_head
    AFTER INSERT ON erp_entity
    FOR EACH ROW EXECUTE FUNCTION erp_activity_chain_head_create();

-- Existing chains: each head is its entity's last linked row. The log is locked against writers first: a
-- transaction still linking by the old function would otherwise give a row the position its head then repeats.
LOCK TABLE erp_activity IN EXCLUSIVE MODE;
INSERT INTO erp_activity_chainhead (entity_id, seq, chain_hash)
SELECT e.id, coalesce(last.seq, 0), coalesce(last.chain_hash, '')
  FROM erp_entity AS e
  LEFT JOIN LATERAL (
        SELECT a.seq, a.chain_hash FROM erp_activity AS a
         WHERE a.entity_id = e.id AND a.seq IS NOT NULL
         ORDER BY a.seq DESC LIMIT 1
       ) AS last ON true
ON CONFLICT DO NOTHING;

-- At commit (the deferred constraint trigger of 0009), per new row: the head's UPDATE locks the entity's chain
-- (held to the end of the commit: chain order is commit order), takes the next seq and computes
-- chain_hash = sha256(previous hash || canonical bytes) in one statement; the row is then given its place.
CREATE OR REPLACE FUNCTION erp_activity_link() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    new_seq bigint;
    new_hash text;
BEGIN
    -- Rows of several entities: lock all their heads first, in one order, so two such transactions never
    -- deadlock (0011). A transaction of one entity (the usual one) skips this.
    IF EXISTS (SELECT 1 FROM erp_activity AS a WHERE a.seq IS NULL AND a.entity_id <> NEW.entity_id) THEN
        PERFORM 1 FROM erp_activity_chainhead AS h
         WHERE h.entity_id IN (SELECT a.entity_id FROM erp_activity AS a WHERE a.seq IS NULL)
         ORDER BY h.entity_id
           FOR NO KEY UPDATE;
    END IF;
    LOOP
        UPDATE erp_activity_chainhead AS h
           SET seq = h.seq + 1,
               chain_hash = encode(sha256(convert_to(
                   h.chain_hash || erp_activity_canonical(NEW, h.seq + 1), 'UTF8')), 'hex')
         WHERE h.entity_id = NEW.entity_id
        RETURNING h.seq, h.chain_hash INTO new_seq, new_hash;
        EXIT WHEN FOUND;
        -- No head (removed by hand): rebuild it from the chain's last row, then take it.
        INSERT INTO erp_activity_chainhead (entity_id, seq, chain_hash)
        SELECT NEW.entity_id, coalesce(max(a.seq), 0),
               coalesce((SELECT l.chain_hash FROM erp_activity AS l
                          WHERE l.entity_id = NEW.entity_id AND l.seq IS NOT NULL
                          ORDER BY l.seq DESC LIMIT 1), '')
          FROM erp_activity AS a
         WHERE a.entity_id = NEW.entity_id AND a.seq IS NOT NULL
        ON CONFLICT DO NOTHING;
    END LOOP;
    UPDATE erp_activity SET seq = new_seq, chain_hash = new_hash WHERE id = NEW.id;
    RETURN NULL;
END
$$;

-- A row's entity is checked when the row is inserted, not at commit (Django declares its foreign keys
-- DEFERRABLE INITIALLY DEFERRED): the check then runs, and waits for a transaction holding the entity's row
-- FOR UPDATE (a lock date, the books' mode), before a write takes its number, not in the lock window after it.
-- A migration that alters Activity.entity recreates the key deferred: say it here again.
DO $$
DECLARE
    entity_key text;
BEGIN
    SELECT c.conname INTO STRICT entity_key FROM pg_constraint AS c
     WHERE c.conrelid = 'erp_activity'::regclass AND c.contype = 'f' AND c.confrelid = 'erp_entity'::regclass;
    EXECUTE format('ALTER TABLE erp_activity ALTER CONSTRAINT %I NOT DEFERRABLE', entity_key);
END
$$;

-- The guards' functions (0009) are called only for a statement they refuse (or, on insert, a chain field to
-- clear): a trigger's column list and WHEN are checked without calling PL/pgSQL. The link's own UPDATE runs at
-- trigger depth 1 (inside erp_activity_link), a client's at depth 0.
DROP TRIGGER erp_activity_starts_unchained ON erp_activity;
CREATE TRIGGER erp_activity_starts_unchained
    BEFORE INSERT ON erp_activity
    FOR EACH ROW
    WHEN (NEW.seq IS NOT NULL OR NEW.chain_hash IS NOT NULL)
    EXECUTE FUNCTION erp_activity_insert_guard();

-- An UPDATE naming a recorded column is refused whatever its depth; one of the chain fields only at depth 0, on a
-- linked row, or unlinking: what is left is the link's own UPDATE (seq and chain_hash of an unlinked row),
-- which then calls no function at all.
DROP TRIGGER erp_activity_append_only ON erp_activity;
CREATE TRIGGER erp_activity_append_only
    BEFORE UPDATE OF id, entity_id, occurred_at, actor_type, actor_id, actor_name, channel, action, object_type,
                     object_id, request_id, reason, changes
    ON erp_activity
    FOR EACH ROW EXECUTE FUNCTION erp_activity_guard();

CREATE TRIGGER erp_activity_append_only_chain
    BEFORE UPDATE ON erp_activity
    FOR EACH ROW
    WHEN (pg_trigger_depth() < 1 OR OLD.seq IS NOT NULL OR NEW.seq IS NULL)
    EXECUTE FUNCTION erp_activity_guard();

CREATE TRIGGER erp_activity_append_only_delete
    BEFORE DELETE ON erp_activity
    FOR EACH ROW EXECUTE FUNCTION erp_activity_guard();
