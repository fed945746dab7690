-- The journal's hash chain, one per entity: "journal:<entity id>" (reversed by 0006_journal_chain_reverse.sql;
-- docs/audit.md, "Hash chains"; the chain functions are numbering/migrations/0007_chains.sql). An entry is
-- linked in the statement that numbers it, when its lines are all written: a line cannot be added to a
-- numbered entry, and erp_journal_entry_immutable refuses any later change, so what was linked stays.

-- The canonical text of an entry after its type and position: its fields, its line count, then each line
-- (id, account, debit, credit) in id order.
CREATE FUNCTION ledger_journal_entry_chain_fields(e erp_journalentry) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT folio_chain_field(e.id::text) || folio_chain_field(e.entity_id::text) || folio_chain_field(e.number)
        || folio_chain_field(to_char(e.date, 'YYYY-MM-DD')) || folio_chain_field(e.memo) || folio_chain_field(e.source_type)
        || folio_chain_field(e.source_id) || folio_chain_field(e.reversal_of_id::text)
        || folio_chain_field(folio_chain_time(e.posted_at)) || folio_chain_field(e.posted_by)
        || folio_chain_field((SELECT count(*) FROM erp_journalline AS l WHERE l.entry_id = e.id)::text)
        || coalesce((SELECT string_agg(folio_chain_field(l.id::text) || folio_chain_field(l.account_id::text)
                                        || folio_chain_field(l.debit::text) || folio_chain_field(l.credit::text),
                                       '' ORDER BY l.id)
                       FROM erp_journalline AS l WHERE l.entry_id = e.id), '')
$$;

-- Fires after erp_journal_entry_immutable (trigger names run in order), which allows only the numbering.
CREATE FUNCTION ledger_journal_entry_link() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    link record;
BEGIN
    IF TG_OP = 'INSERT' THEN
        NEW.chain_position := NULL;  -- an entry is linked when it is numbered, never before
        NEW.chain_hash := NULL;
        IF NEW.number = '' THEN
            RETURN NEW;
        END IF;
    ELSIF NOT (OLD.number = '' AND NEW.number <> '') THEN
        RETURN NEW;
    END IF;
    link := folio_chain_append('journal:' || NEW.entity_id, 'journal_entry', ledger_journal_entry_chain_fields(NEW));
    NEW.chain_position := link.link_position;
    NEW.chain_hash := link.link_hash;
    RETURN NEW;
END
$$;

CREATE TRIGGER ledger_journal_entry_chained
    BEFORE INSERT OR UPDATE ON erp_journalentry
    FOR EACH ROW EXECUTE FUNCTION ledger_journal_entry_link();

-- A numbered entry takes no further line: its link already covers every line it has.
CREATE FUNCTION ledger_journal_line_before_number() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM erp_journalentry WHERE id = NEW.entry_id AND number <> '') THEN
        RAISE EXCEPTION 'journal entry % is numbered: it takes no further line; post another entry', NEW.entry_id
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'journal_lines_before_number';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER ledger_journal_line_before_number
    BEFORE INSERT ON erp_journalline
    FOR EACH ROW EXECUTE FUNCTION ledger_journal_line_before_number();

-- Entries numbered before this migration, linked in the order they were posted.
DO $$
DECLARE
    item erp_journalentry;
    link record;
BEGIN
    ALTER TABLE erp_journalentry DISABLE TRIGGER erp_journal_entry_immutable;
    FOR item IN
        SELECT e.* FROM erp_journalentry AS e WHERE e.number <> '' ORDER BY e.entity_id, e.posted_at, e.number, e.id
    LOOP
        link := folio_chain_append('journal:' || item.entity_id, 'journal_entry',
                                   ledger_journal_entry_chain_fields(item));
        UPDATE erp_journalentry SET chain_position = link.link_position, chain_hash = link.link_hash
         WHERE id = item.id;
    END LOOP;
    ALTER TABLE erp_journalentry ENABLE TRIGGER erp_journal_entry_immutable;
END
$$;
