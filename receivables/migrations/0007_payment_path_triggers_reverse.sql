-- Back to the triggers of 0004 and 0005.
DROP TRIGGER receivables_invoice_posted ON receivables_invoice;
CREATE TRIGGER receivables_invoice_posted
    BEFORE UPDATE ON receivables_invoice
    FOR EACH ROW EXECUTE FUNCTION receivables_invoice_guard();

DROP TRIGGER receivables_invoice_applied_total_kept_on_update ON receivables_invoice;
DROP TRIGGER receivables_invoice_applied_total_kept ON receivables_invoice;
CREATE TRIGGER receivables_invoice_applied_total_kept
    BEFORE INSERT OR UPDATE ON receivables_invoice
    FOR EACH ROW EXECUTE FUNCTION receivables_applied_total_guard();

DROP TRIGGER receivables_invoice_balance_consistent ON receivables_invoice;
CREATE CONSTRAINT TRIGGER receivables_invoice_balance_consistent
    AFTER UPDATE ON receivables_invoice
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (NEW.number IS NOT DISTINCT FROM OLD.number
          AND NEW.void_journal_entry_id IS NOT DISTINCT FROM OLD.void_journal_entry_id
          AND OLD.status <> 'draft')
    EXECUTE FUNCTION receivables_invoice_deferred_check('balance');
