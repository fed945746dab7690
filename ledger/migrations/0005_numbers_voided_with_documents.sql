-- A journal entry is never voided (it is reversed by another entry): its number is never voided
-- (numbering/migrations/0006_number_bound_to_document.sql; no status names a void entry).
CREATE TRIGGER ledger_journal_entry_number_never_voided
    BEFORE UPDATE ON numbering_issuednumber
    FOR EACH ROW
    WHEN (OLD.status = 'issued' AND NEW.status = 'voided' AND NEW.document_type = 'journal_entry')
    EXECUTE FUNCTION numbering_number_voided_with_document('erp_journalentry');
