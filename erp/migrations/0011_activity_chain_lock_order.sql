-- A transaction that logs writes of several entities links them at commit, one chain lock per entity. Taken
-- row by row, in the order the rows were written, two such transactions writing the same two entities in the
-- other order each held one lock and waited for the other's: a deadlock at commit. The first link of a
-- transaction now locks every entity it has unlinked rows for, in one order (entity id), before linking
-- any row (reversed by 0011_activity_chain_lock_order_reverse.sql; erp/migrations/0009_activity_log.sql).

-- Only a transaction's own rows are unlinked (a committed row always has its place): the index holds
-- those few, so finding them costs nothing however long the log.
CREATE INDEX erp_activity_unlinked ON erp_activity (entity_id) WHERE seq IS NULL;

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
