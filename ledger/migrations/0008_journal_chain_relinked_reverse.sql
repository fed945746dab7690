-- The journal chains linked again in the form of 0006_journal_chain.sql (the previous hash as hex text), then
-- the relinking function dropped.
DO $$
DECLARE
    item record;
BEGIN
    ALTER TABLE erp_journalentry DISABLE TRIGGER erp_journal_entry_immutable;
    ALTER TABLE numbering_chainhead DISABLE TRIGGER numbering_chain_head_forward;
    FOR item IN SELECT DISTINCT entity_id FROM erp_journalentry WHERE chain_position IS NOT NULL LOOP
        PERFORM ledger_journal_chain_relink(item.entity_id, false);
    END LOOP;
    ALTER TABLE erp_journalentry ENABLE TRIGGER erp_journal_entry_immutable;
    ALTER TABLE numbering_chainhead ENABLE TRIGGER numbering_chain_head_forward;
END
$$;

DROP FUNCTION ledger_journal_chain_relink(uuid, boolean);
