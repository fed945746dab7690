-- The activity log kept append-only and chained per entity (reversed by 0009_activity_log_reverse.sql;
-- docs/activity.md, "How the log is kept").

-- The bytes a row's hash covers: every field, each as <byte length>:<text>, so no two rows share them.
-- Mirrored in Python by erp.services.activity.canonical_bytes (what an offline verifier recomputes).
CREATE FUNCTION erp_activity_canonical(a erp_activity) RETURNS text
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

-- Inserted rows start outside the chain whatever the client sent: only the commit trigger links them.
CREATE FUNCTION erp_activity_insert_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    NEW.seq := NULL;
    NEW.chain_hash := NULL;
    RETURN NEW;
END
$$;

CREATE TRIGGER erp_activity_starts_unchained
    BEFORE INSERT ON erp_activity
    FOR EACH ROW EXECUTE FUNCTION erp_activity_insert_guard();

-- Append-only: never deleted, never changed. The one update allowed is the chain trigger's own (trigger
-- depth > 1: a client's statement runs this guard at depth 1) giving an unchained row its place.
CREATE FUNCTION erp_activity_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND pg_trigger_depth() > 1
       AND OLD.seq IS NULL AND NEW.seq IS NOT NULL
       AND (NEW.id, NEW.entity_id, NEW.occurred_at, NEW.actor_type, NEW.actor_id, NEW.actor_name, NEW.channel,
            NEW.action, NEW.object_type, NEW.object_id, NEW.request_id, NEW.reason, NEW.changes)
           IS NOT DISTINCT FROM
           (OLD.id, OLD.entity_id, OLD.occurred_at, OLD.actor_type, OLD.actor_id, OLD.actor_name, OLD.channel,
            OLD.action, OLD.object_type, OLD.object_id, OLD.request_id, OLD.reason, OLD.changes)
    THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'the activity log is append-only: % refused', TG_OP
        USING ERRCODE = 'restrict_violation', CONSTRAINT = 'activity_append_only';
END
$$;

CREATE TRIGGER erp_activity_append_only
    BEFORE UPDATE OR DELETE ON erp_activity
    FOR EACH ROW EXECUTE FUNCTION erp_activity_guard();

-- TRUNCATE fires no row trigger: the log goes only with every entity it describes (Django's test flush
-- truncates all tables in one statement).
CREATE FUNCTION erp_activity_keep_on_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM erp_entity) THEN
        RAISE EXCEPTION 'the activity log is append-only: TRUNCATE refused'
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'activity_append_only';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER erp_activity_kept_on_truncate
    AFTER TRUNCATE ON erp_activity
    FOR EACH STATEMENT EXECUTE FUNCTION erp_activity_keep_on_truncate();

-- The chain, per entity: at commit (a deferred constraint trigger), each new row takes the next position
-- and chain_hash = sha256(previous hash || canonical bytes); the first row's previous hash is ''. Linking
-- at commit, not at insert, holds the entity's chain lock only from the commit on, after every other lock
-- the transaction took: writes of one entity never wait on each other's work, only on each other's commit,
-- and the lock cannot be part of a deadlock. Chain order is commit order.
CREATE FUNCTION erp_activity_link() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    head record;
    linked erp_activity;
BEGIN
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

CREATE CONSTRAINT TRIGGER erp_activity_chained
    AFTER INSERT ON erp_activity
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION erp_activity_link();
