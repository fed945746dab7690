-- Back to 0011: the guards on every row, the advisory-lock link, 0009's canonical text; the head table itself
-- goes with the model (0012_activity_chain_head.py).
DROP TRIGGER erp_activity_append_only_delete ON erp_activity;
DROP TRIGGER erp_activity_append_only_chain ON erp_activity;
DROP TRIGGER erp_activity_append_only ON erp_activity;
CREATE TRIGGER erp_activity_append_only
    BEFORE UPDATE OR DELETE ON erp_activity
    FOR EACH ROW EXECUTE FUNCTION erp_activity_guard();

DROP TRIGGER erp_activity_starts_unchained ON erp_activity;
CREATE TRIGGER erp_activity_starts_unchained
    BEFORE INSERT ON erp_activity
    FOR EACH ROW EXECUTE FUNCTION erp_activity_insert_guard();

CREATE OR REPLACE FUNCTION erp_activity_link() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    head record;
    linked erp_activity;
    pending record;
BEGIN
    -- Every entity of the transaction, in one order; a lock already held is taken again at no cost.
    FOR pending IN
        SELECT DISTINCT a.entity_id FROM erp_activity AS a WHERE a.seq IS NULL ORDER BY a.entity_id
    LOOP
        PERFORM pg_advisory_xact_lock(hashtextextended('erp_activity:' || pending.entity_id::text, 0));
    END LOOP;
    PERFORM pg_advisory_xact_lock(hashtextextended('erp_activity:' || NEW.entity_id::text, 0));
    SELECT a.seq, a.chain_hash INTO head
      FROM erp_activity AS a
     WHERE a.entity_id = NEW.entity_id AND a.seq IS NOT NULL
     ORDER BY a.seq DESC
     LIMIT 1;
    linked := NEW;
    linked.seq := coalesce(head.seq, 0) + 1;
    linked.chain_hash := encode(
        sha256(convert_to(coalesce(head.chain_hash, '') || erp_activity_canonical(linked), 'UTF8')), 'hex');
    UPDATE erp_activity SET seq = linked.seq, chain_hash = linked.chain_hash WHERE id = NEW.id;
    RETURN NULL;
END
$$;

DO $$
DECLARE
    entity_key text;
BEGIN
    SELECT c.conname INTO STRICT entity_key FROM pg_constraint AS c
     WHERE c.conrelid = 'erp_activity'::regclass AND c.contype = 'f' AND c.confrelid = 'erp_entity'::regclass;
    EXECUTE format('ALTER TABLE erp_activity ALTER CONSTRAINT %I DEFERRABLE INITIALLY DEFERRED', entity_key);
END
$$;

DROP TRIGGER erp_activity_chain_head ON erp_entity;
DROP FUNCTION erp_activity_chain_head_create();

CREATE OR REPLACE FUNCTION erp_activity_canonical(a erp_activity) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT string_agg(octet_length(v) || ':' || v || ',', '' ORDER BY n)
      FROM unnest(ARRAY[
               a.id::text,
               a.entity_id::text,
               a.seq::text,
               to_char(a.occurred_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"'),
               a.actor_type, a.actor_id, a.actor_name, a.channel, a.action,
               a.object_type, a.object_id, a.request_id, a.reason,
               a.changes::text
           ]) WITH ORDINALITY AS f(v, n)
$$;
DROP FUNCTION erp_activity_canonical(erp_activity, bigint);
