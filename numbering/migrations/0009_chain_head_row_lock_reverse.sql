-- Back to the advisory lock of 0007_chains.sql; the empty heads go (nothing links onto them).
DROP TRIGGER numbering_sequence_chain_head ON numbering_sequence;
DROP FUNCTION numbering_sequence_chain_head();
ALTER TABLE numbering_chainhead DISABLE TRIGGER numbering_chain_head_kept;
DELETE FROM numbering_chainhead WHERE position = 0;
ALTER TABLE numbering_chainhead ENABLE TRIGGER numbering_chain_head_kept;
CREATE OR REPLACE FUNCTION folio_chain_head(chain text, OUT head_position bigint, OUT head_hash text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'chain %: records are linked only in READ COMMITTED transactions', chain
            USING ERRCODE = 'invalid_transaction_state';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended(chain, 0));
    SELECT h.position, h.hash INTO head_position, head_hash FROM numbering_chainhead AS h WHERE h.chain_id = chain;
    head_position := coalesce(head_position, 0);
    head_hash := coalesce(head_hash, '');
END
$$;

