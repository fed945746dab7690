-- Reverses 0005_invoice_drafts_terms.sql: 0003's guards as they were (drafts must be gone first:
-- 0005's Django operations refuse to drop the draft CHECKs while a draft exists).
DROP TRIGGER receivables_invoice_kept ON receivables_invoice;
CREATE TRIGGER receivables_invoice_kept
    BEFORE DELETE ON receivables_invoice
    FOR EACH ROW EXECUTE FUNCTION receivables_refuse_change('invoice_kept');

DROP TRIGGER receivables_invoice_draft_lines_consistent ON receivables_invoiceline;
DROP FUNCTION receivables_invoice_line_deferred_check();

DROP TRIGGER receivables_invoice_line_immutable ON receivables_invoiceline;
CREATE TRIGGER receivables_invoice_line_immutable
    BEFORE UPDATE OR DELETE ON receivables_invoiceline
    FOR EACH ROW EXECUTE FUNCTION receivables_refuse_change('invoice_line_append_only');
DROP FUNCTION receivables_invoice_line_change_guard();

DROP TRIGGER receivables_invoice_numbered_or_voided ON receivables_invoice;
DROP TRIGGER receivables_invoice_balance_consistent ON receivables_invoice;

CREATE CONSTRAINT TRIGGER receivables_invoice_numbered_or_voided
    AFTER UPDATE ON receivables_invoice
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (NEW.number IS DISTINCT FROM OLD.number
          OR NEW.void_journal_entry_id IS DISTINCT FROM OLD.void_journal_entry_id)
    EXECUTE FUNCTION receivables_invoice_deferred_check('whole');

CREATE CONSTRAINT TRIGGER receivables_invoice_balance_consistent
    AFTER UPDATE ON receivables_invoice
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (NEW.number IS NOT DISTINCT FROM OLD.number
          AND NEW.void_journal_entry_id IS NOT DISTINCT FROM OLD.void_journal_entry_id)
    EXECUTE FUNCTION receivables_invoice_deferred_check('balance');

CREATE OR REPLACE FUNCTION receivables_invoice_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.entity_id, NEW.customer_id, NEW.total, NEW.invoice_date, NEW.journal_entry_id)
       IS DISTINCT FROM (OLD.entity_id, OLD.customer_id, OLD.total, OLD.invoice_date, OLD.journal_entry_id) THEN
        RAISE EXCEPTION 'invoice % is posted: its entity, customer, total, invoice_date and journal entry are fixed',
            OLD.id USING ERRCODE = 'restrict_violation', CONSTRAINT = 'invoice_posted_fields_immutable';
    END IF;
    IF OLD.number <> '' AND NEW.number IS DISTINCT FROM OLD.number THEN
        RAISE EXCEPTION 'invoice % is numbered % and cannot be renumbered', OLD.id, OLD.number
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'invoice_number_once';
    END IF;
    IF OLD.status = 'void'
       AND (NEW.status, NEW.void_journal_entry_id, NEW.voided_at, NEW.voided_by, NEW.void_reason)
           IS DISTINCT FROM (OLD.status, OLD.void_journal_entry_id, OLD.voided_at, OLD.voided_by, OLD.void_reason) THEN
        RAISE EXCEPTION 'invoice % is void and stays void', OLD.id
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'invoice_void_final';
    END IF;
    RETURN NEW;
END
$$;

CREATE OR REPLACE FUNCTION receivables_invoice_check(checked_id uuid, whole boolean DEFAULT true) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    invoice receivables_invoice%ROWTYPE;
    lines_total numeric;
BEGIN
    SELECT * INTO invoice FROM receivables_invoice WHERE id = checked_id;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    PERFORM receivables_invoice_balance_check(invoice);
    IF NOT whole THEN
        RETURN;
    END IF;
    SELECT coalesce(sum(l.amount), 0) INTO lines_total FROM receivables_invoiceline AS l WHERE l.invoice_id = checked_id;
    IF lines_total <> invoice.total THEN
        RAISE EXCEPTION 'invoice %: total % is not the % its lines add up to', checked_id, invoice.total, lines_total
            USING ERRCODE = 'check_violation', CONSTRAINT = 'invoice_total_matches_lines';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM receivables_customer AS c
                    WHERE c.id = invoice.customer_id AND c.entity_id = invoice.entity_id)
       OR EXISTS (SELECT 1 FROM erp_journalentry AS e
                   WHERE e.id IN (invoice.journal_entry_id, invoice.void_journal_entry_id)
                     AND e.entity_id <> invoice.entity_id) THEN
        RAISE EXCEPTION 'invoice % references a customer or journal entry of another entity', checked_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'invoice_references_own_entity';
    END IF;
    IF invoice.number = '' THEN
        RAISE EXCEPTION 'invoice % was not numbered before commit', checked_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'invoice_numbered';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM numbering_issuednumber AS n
                    WHERE n.entity_id = invoice.entity_id AND n.document_type = 'invoice'
                      AND n.document_id <> '' AND n.document_id = checked_id::text
                      AND n.number = invoice.number) THEN
        RAISE EXCEPTION 'invoice %: number % was not issued to it', checked_id, invoice.number
            USING ERRCODE = 'check_violation', CONSTRAINT = 'invoice_number_issued';
    END IF;
    IF NOT ledger_entry_posts(invoice.journal_entry_id, 'invoice', checked_id, invoice.total, NULL) THEN
        RAISE EXCEPTION 'invoice %: journal entry % is not the posting of this invoice for %',
            checked_id, invoice.journal_entry_id, invoice.total
            USING ERRCODE = 'check_violation', CONSTRAINT = 'invoice_posted_by_its_entry';
    END IF;
    IF invoice.void_journal_entry_id IS NOT NULL
       AND NOT ledger_entry_posts(invoice.void_journal_entry_id, 'invoice', checked_id, invoice.total,
                                       invoice.journal_entry_id) THEN
        RAISE EXCEPTION 'invoice %: void entry % is not the reversal of its entry %',
            checked_id, invoice.void_journal_entry_id, invoice.journal_entry_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'invoice_void_reverses_its_entry';
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION receivables_applications_match() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM added AS a
                 JOIN receivables_payment AS p ON p.id = a.payment_id
                 JOIN receivables_invoice AS i ON i.id = a.invoice_id
                WHERE i.customer_id <> p.customer_id OR i.entity_id <> p.entity_id) THEN
        RAISE EXCEPTION 'a payment applies to an invoice of another customer or entity'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'payment_applications_match';
    END IF;
    IF EXISTS (SELECT 1 FROM receivables_payment AS p
                WHERE p.id IN (SELECT payment_id FROM added)
                  AND p.amount <> (SELECT coalesce(sum(x.amount_applied), 0)
                                     FROM receivables_paymentapplication AS x WHERE x.payment_id = p.id)) THEN
        RAISE EXCEPTION 'a payment''s applications do not add up to its amount'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'payment_applications_match';
    END IF;
    RETURN NULL;
END
$$;
