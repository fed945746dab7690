-- Draft invoices (reversed by 0005_invoice_drafts_terms_reverse.sql; docs/receivables.md, "Drafts").
-- A draft is editable, unnumbered and unposted: the CHECK invoice_draft_unposted (0005) keeps it without a
-- number or journal entry, and a posted invoice with one. These guards let a draft change and be deleted,
-- and keep everything else as 0003 and 0004 hold it: a posted invoice never changes back into a draft, and
-- no payment applies to a draft.

-- The whole invoice, as 0003 checks it; a draft is checked for its lines and its references only (it
-- has no number or entry yet).
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
    IF invoice.status = 'draft' THEN
        RETURN;
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

-- A draft changes freely (but stays with its entity), and posting it writes its entry and status: all
-- checked whole at commit. Once posted, 0003's rules hold, and it never becomes a draft again.
CREATE OR REPLACE FUNCTION receivables_invoice_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'draft' THEN
        IF NEW.entity_id IS DISTINCT FROM OLD.entity_id THEN
            RAISE EXCEPTION 'invoice % belongs to entity % and cannot move to another', OLD.id, OLD.entity_id
                USING ERRCODE = 'restrict_violation', CONSTRAINT = 'invoice_posted_fields_immutable';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.status = 'draft' THEN
        RAISE EXCEPTION 'invoice % is posted and cannot become a draft again', OLD.id
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'invoice_posted_stays_posted';
    END IF;
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

-- A draft's edit or posting is checked whole at commit, like a number or a void; a payment's update
-- of a posted invoice re-checks its balance only, as before.
DROP TRIGGER receivables_invoice_numbered_or_voided ON receivables_invoice;
DROP TRIGGER receivables_invoice_balance_consistent ON receivables_invoice;

CREATE CONSTRAINT TRIGGER receivables_invoice_numbered_or_voided
    AFTER UPDATE ON receivables_invoice
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (NEW.number IS DISTINCT FROM OLD.number
          OR NEW.void_journal_entry_id IS DISTINCT FROM OLD.void_journal_entry_id
          OR OLD.status = 'draft')
    EXECUTE FUNCTION receivables_invoice_deferred_check('whole');

CREATE CONSTRAINT TRIGGER receivables_invoice_balance_consistent
    AFTER UPDATE ON receivables_invoice
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN (NEW.number IS NOT DISTINCT FROM OLD.number
          AND NEW.void_journal_entry_id IS NOT DISTINCT FROM OLD.void_journal_entry_id
          AND OLD.status <> 'draft')
    EXECUTE FUNCTION receivables_invoice_deferred_check('balance');

-- Lines: a draft's lines may be replaced; a posted invoice's never change (0003's rule for them).
CREATE FUNCTION receivables_invoice_line_change_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (TG_OP = 'DELETE' OR NEW.invoice_id = OLD.invoice_id)
       AND EXISTS (SELECT 1 FROM receivables_invoice AS i WHERE i.id = OLD.invoice_id AND i.status = 'draft') THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    RAISE EXCEPTION '% row % is part of the receivables history and cannot be % (void the document instead)',
        TG_TABLE_NAME, OLD.id, lower(TG_OP)
        USING ERRCODE = 'restrict_violation', CONSTRAINT = 'invoice_line_append_only';
END
$$;

DROP TRIGGER receivables_invoice_line_immutable ON receivables_invoiceline;
CREATE TRIGGER receivables_invoice_line_immutable
    BEFORE UPDATE OR DELETE ON receivables_invoiceline
    FOR EACH ROW EXECUTE FUNCTION receivables_invoice_line_change_guard();

-- A draft's lines change in a later transaction than its insert: its total is checked against them at
-- commit. (A posted invoice's lines go in with it, and its own check adds them up.)
CREATE FUNCTION receivables_invoice_line_deferred_check() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    owner uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.invoice_id ELSE NEW.invoice_id END;
BEGIN
    IF EXISTS (SELECT 1 FROM receivables_invoice AS i WHERE i.id = owner AND i.status = 'draft') THEN
        PERFORM receivables_invoice_check(owner);
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER receivables_invoice_draft_lines_consistent
    AFTER INSERT OR UPDATE OR DELETE ON receivables_invoiceline
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION receivables_invoice_line_deferred_check();

-- Only a draft may be deleted; a posted invoice is kept (voided instead).
DROP TRIGGER receivables_invoice_kept ON receivables_invoice;
CREATE TRIGGER receivables_invoice_kept
    BEFORE DELETE ON receivables_invoice
    FOR EACH ROW WHEN (OLD.status <> 'draft')
    EXECUTE FUNCTION receivables_refuse_change('invoice_kept');

-- 0003's check of applications, and: a payment applies only to posted invoices, never to a draft.
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
    IF EXISTS (SELECT 1 FROM added AS a JOIN receivables_invoice AS i ON i.id = a.invoice_id
                WHERE i.status = 'draft') THEN
        RAISE EXCEPTION 'a payment applies to a draft invoice'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'payment_applies_to_posted_invoices';
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
