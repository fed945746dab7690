-- The activity chain's heads (0012) are written only by the database's own triggers: the commit-time link
-- (erp_activity_link) moves them and rebuilds a missing one, and a new entity's trigger creates its head
-- (reversed by 0014_activity_chain_head_guarded_reverse.sql; docs/activity.md). A client's own statement
-- (trigger depth 0) on a head is refused, whoever sends it: set back, a head refused every later commit of
-- its entity (a position given twice); given another hash, it made the next row look broken; removed, it
-- cost a rebuild. The application role cannot raise its trigger depth (no trigger of its own, no TEMP), and
-- a head only ever moves forward, even from a trigger.

CREATE FUNCTION erp_activity_chain_head_refuse() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'activity chain heads are moved only by the commit-time link: % refused', TG_OP
        USING ERRCODE = 'restrict_violation', CONSTRAINT = 'activity_chain_head_guarded';
END
$$;

CREATE TRIGGER erp_activity_chain_head_guarded
    BEFORE UPDATE ON erp_activity_chainhead
    FOR EACH ROW WHEN (pg_trigger_depth() < 1 OR NEW.seq <= OLD.seq OR NEW.entity_id <> OLD.entity_id)
    EXECUTE FUNCTION erp_activity_chain_head_refuse();

CREATE TRIGGER erp_activity_chain_head_guarded_insert
    BEFORE INSERT ON erp_activity_chainhead
    FOR EACH ROW WHEN (pg_trigger_depth() < 1)
    EXECUTE FUNCTION erp_activity_chain_head_refuse();

CREATE TRIGGER erp_activity_chain_head_guarded_delete
    BEFORE DELETE ON erp_activity_chainhead
    FOR EACH ROW WHEN (pg_trigger_depth() < 1)
    EXECUTE FUNCTION erp_activity_chain_head_refuse();
