-- The journal chains linked again in the form of numbering/migrations/0008_chain_links_binary.sql (the previous
-- hash as its 32 bytes); reversed by 0008_journal_chain_relinked_reverse.sql. Checkpoints signed before it name
-- hashes of the old form: run sign_ledger after migrating (there were none outside development).
CREATE FUNCTION ledger_journal_chain_relink(entity uuid, binary_previous boolean) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    item erp_journalentry;
    previous text := '';
    linked bigint := 0;
    canonical text;
BEGIN
    FOR item IN
        SELECT e.* FROM erp_journalentry AS e WHERE e.entity_id = entity AND e.chain_position IS NOT NULL
         ORDER BY e.chain_position
    LOOP
        linked := linked + 1;
        canonical := folio_chain_field('journal_entry') || folio_chain_field(linked::text)
                     || ledger_journal_entry_chain_fields(item);
        IF binary_previous THEN
            previous := encode(sha256(decode(previous, 'hex') || convert_to(canonical, 'UTF8')), 'hex');
        ELSE
            previous := encode(sha256(convert_to(previous || canonical, 'UTF8')), 'hex');
        END IF;
        UPDATE erp_journalentry SET chain_position = linked, chain_hash = previous WHERE id = item.id;
    END LOOP;
    IF linked > 0 THEN
        UPDATE numbering_chainhead SET position = linked, hash = previous WHERE chain_id = 'journal:' || entity;
    END IF;
END
$$;

DO $$
DECLARE
    item record;
BEGIN
    ALTER TABLE erp_journalentry DISABLE TRIGGER erp_journal_entry_immutable;
    ALTER TABLE numbering_chainhead DISABLE TRIGGER numbering_chain_head_forward;
    FOR item IN SELECT DISTINCT entity_id FROM erp_journalentry WHERE chain_position IS NOT NULL LOOP
        PERFORM ledger_journal_chain_relink(item.entity_id, true);
    END LOOP;
    ALTER TABLE erp_journalentry ENABLE TRIGGER erp_journal_entry_immutable;
    ALTER TABLE numbering_chainhead ENABLE TRIGGER numbering_chain_head_forward;
END
$$;
