-- A payment's invoice updates at a smaller cost, every guard kept (reversed by 0007_payment_path_triggers_reverse.sql;
-- docs/benchmarks.md, "HTTP: multi-invoice-apply"). A payment of 50 invoices updates 100 invoice rows (the running
-- totals of 0004, then the balances), and each row called two guard functions and queued a deferred balance check.
-- Each trigger now says in its WHEN which rows its function could refuse, so the function runs only for those:
-- the same refusals, with no function call (and no queued event) for a row that changed as a payment changes it.

-- The posted-invoice guard (0003, 0005) refuses only these changes; a draft's update still runs it whole.
DROP TRIGGER receivables_invoice_posted ON receivables_invoice;
CREATE TRIGGER receivables_invoice_posted
    BEFORE UPDATE ON receivables_invoice
    FOR EACH ROW
    WHEN (OLD.status = 'draft' OR NEW.status = 'draft'
          OR (NEW.entity_id, NEW.customer_id, NEW.total, NEW.invoice_date, NEW.journal_entry_id)
             IS DISTINCT FROM (OLD.entity_id, OLD.customer_id, OLD.total, OLD.invoice_date, OLD.journal_entry_id)
          OR (OLD.number <> '' AND NEW.number IS DISTINCT FROM OLD.number)
          OR (OLD.status = 'void'
              AND (NEW.status, NEW.void_journal_entry_id, NEW.voided_at, NEW.voided_by, NEW.void_reason)
                  IS DISTINCT FROM (OLD.status, OLD.void_journal_entry_id, OLD.voided_at, OLD.voided_by, OLD.void_reason)))
    EXECUTE FUNCTION receivables_invoice_guard();

-- The running total's guard (0004) runs only when the total is written: an insert with one, an update changing it.
DROP TRIGGER receivables_invoice_applied_total_kept ON receivables_invoice;
CREATE TRIGGER receivables_invoice_applied_total_kept
    BEFORE INSERT ON receivables_invoice
    FOR EACH ROW WHEN (NEW.applied_total <> 0)
    EXECUTE FUNCTION receivables_applied_total_guard();
CREATE TRIGGER receivables_invoice_applied_total_kept_on_update
    BEFORE UPDATE ON receivables_invoice
    FOR EACH ROW WHEN (NEW.applied_total IS DISTINCT FROM OLD.applied_total)
    EXECUTE FUNCTION receivables_applied_total_guard();

-- The deferred balance check (0003, 0005) is queued only for a row its update leaves off balance (the WHEN sees
-- the row as that statement wrote it); the commit-time function re-reads the row as it is then. A row an update
-- leaves on balance needs no event: afterwards only another update (which queues its own, if needed) or the
-- running total can move it, and the total moves only with a payment inserted or voided in the transaction
-- (0004's triggers), whose own deferred check (receivables_payment_consistent) compares each of its invoices
-- with its total. So the running total's own update (0004) queues nothing either.
DROP TRIGGER receivables_invoice_balance_consistent ON receivables_invoice;
CREATE CONSTRAINT TRIGGER receivables_invoice_balance_consistent
    AFTER UPDATE ON receivables_invoice
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (NEW.number IS NOT DISTINCT FROM OLD.number
          AND NEW.void_journal_entry_id IS NOT DISTINCT FROM OLD.void_journal_entry_id
          AND OLD.status <> 'draft'
          AND NEW.applied_total IS NOT DISTINCT FROM OLD.applied_total
          AND CASE WHEN NEW.status = 'void' THEN NEW.applied_total <> 0
                   ELSE NEW.total - NEW.balance_due <> NEW.applied_total END)
    EXECUTE FUNCTION receivables_invoice_deferred_check('balance');
