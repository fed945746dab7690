-- Back to 0009's link: one entity's lock per row, in the order the rows were written.
CREATE OR REPLACE FUNCTION erp_activity_link() RETURNS trigger
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

DROP INDEX erp_activity_unlinked;
