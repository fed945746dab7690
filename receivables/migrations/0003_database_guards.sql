-- Receivables invariants kept by the database, even against raw SQL (reversed by 0003_database_guards_reverse.sql).
-- The same guards as payables' (docs/reliability.md lists them with their tests). Single-row rules
-- are the named CHECKs of 0001; the cross-row ones are checked at commit, the history ones at once.

-- What a payment moves: an invoice lost exactly what the applied (not void) payments applied to it.
-- This is all a payment, or its void, changes about an invoice, so it is all they re-check.
CREATE FUNCTION receivables_invoice_balance_check(invoice receivables_invoice) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    applied numeric;
BEGIN
    SELECT coalesce(sum(a.amount_applied), 0) INTO applied
      FROM receivables_paymentapplication AS a JOIN receivables_payment AS p ON p.id = a.payment_id
     WHERE a.invoice_id = invoice.id AND p.status = 'applied';
    IF (invoice.status = 'void' AND applied <> 0)
       OR (invoice.status <> 'void' AND invoice.total - invoice.balance_due <> applied) THEN
        RAISE EXCEPTION 'invoice %: total % - balance_due % does not match the % applied to it',
            invoice.id, invoice.total, invoice.balance_due, applied
            USING ERRCODE = 'check_violation', CONSTRAINT = 'invoice_balance_matches_applications';
    END IF;
END
$$;

-- The whole invoice, as posted: its balance as above, and it totals its lines, references only its
-- own entity's rows, was numbered with a number issued to it, was posted by its own entry and, if
-- void, voided by that entry's reversal. `whole` false checks the balance only.
CREATE FUNCTION receivables_invoice_check(checked_id uuid, whole boolean DEFAULT true) RETURNS void
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

-- A payment applied exactly its amount, only to invoices of its own customer and entity, and
-- references only its own entity's rows, was posted by its own entry and, if void, voided by that
-- entry's reversal. (Payments carry no number: their journal entry does.)
CREATE FUNCTION receivables_payment_check(checked_id uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    payment receivables_payment%ROWTYPE;
    applied numeric;
    foreign_rows integer;
BEGIN
    SELECT * INTO payment FROM receivables_payment WHERE id = checked_id;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT coalesce(sum(a.amount_applied), 0), count(*) FILTER (WHERE i.customer_id <> payment.customer_id
                                                                  OR i.entity_id <> payment.entity_id)
      INTO applied, foreign_rows
      FROM receivables_paymentapplication AS a JOIN receivables_invoice AS i ON i.id = a.invoice_id
     WHERE a.payment_id = checked_id;
    IF applied <> payment.amount OR foreign_rows > 0 THEN
        RAISE EXCEPTION 'payment %: applications total % for an amount of %, % to another customer''s invoices',
            checked_id, applied, payment.amount, foreign_rows
            USING ERRCODE = 'check_violation', CONSTRAINT = 'payment_applications_match';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM receivables_customer AS c
                    WHERE c.id = payment.customer_id AND c.entity_id = payment.entity_id)
       OR EXISTS (SELECT 1 FROM erp_journalentry AS e
                   WHERE e.id IN (payment.journal_entry_id, payment.void_journal_entry_id)
                     AND e.entity_id <> payment.entity_id) THEN
        RAISE EXCEPTION 'payment % references a customer or journal entry of another entity', checked_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'payment_references_own_entity';
    END IF;
    IF NOT ledger_entry_posts(payment.journal_entry_id, 'payment', checked_id, payment.amount, NULL) THEN
        RAISE EXCEPTION 'payment %: journal entry % is not the posting of this payment for %',
            checked_id, payment.journal_entry_id, payment.amount
            USING ERRCODE = 'check_violation', CONSTRAINT = 'payment_posted_by_its_entry';
    END IF;
    IF payment.void_journal_entry_id IS NOT NULL
       AND NOT ledger_entry_posts(payment.void_journal_entry_id, 'payment', checked_id, payment.amount,
                                       payment.journal_entry_id) THEN
        RAISE EXCEPTION 'payment %: void entry % is not the reversal of its entry %',
            checked_id, payment.void_journal_entry_id, payment.journal_entry_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'payment_void_reverses_its_entry';
    END IF;
END
$$;

-- Which check an event needs. Deferred checks run at commit, while the entity's journal counter is
-- locked (its number is taken last), so each event re-checks only what it can have changed: a
-- payment moves invoice balances and statuses and nothing else, and its 50 applications must not
-- cost 50 whole-invoice checks under that lock.
CREATE FUNCTION receivables_invoice_deferred_check() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM receivables_invoice_check(NEW.id, whole => TG_ARGV[0] = 'whole');
    RETURN NULL;
END
$$;

CREATE FUNCTION receivables_payment_deferred_check() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    -- A payment applied (its applications are inserted with it) or voided changes what its invoices
    -- lost: their balances are checked here, in one statement, instead of once per application.
    IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
        IF EXISTS (SELECT 1 FROM receivables_invoice AS i
                    WHERE i.id IN (SELECT a.invoice_id FROM receivables_paymentapplication AS a
                                    WHERE a.payment_id = NEW.id)
                      AND CASE WHEN i.status = 'void' THEN 0 ELSE i.total - i.balance_due END
                          <> (SELECT coalesce(sum(a.amount_applied), 0)
                                FROM receivables_paymentapplication AS a
                                JOIN receivables_payment AS p ON p.id = a.payment_id
                               WHERE a.invoice_id = i.id AND p.status = 'applied')) THEN
            RAISE EXCEPTION 'payment %: an invoice''s balance does not match what is applied to it', NEW.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'invoice_balance_matches_applications';
        END IF;
    END IF;
    PERFORM receivables_payment_check(NEW.id);
    RETURN NULL;
END
$$;

-- Deferred to commit: a service inserts the document, its rows and postings, then takes its number;
-- only the finished transaction is checked. An invoice is checked whole when it is inserted and when
-- its number or its void is written (entity, customer, total, date and entry never change: see
-- receivables_invoice_guard); any other update is a payment's, and re-checks its balance.
-- Lines need no deferred trigger: a line joins only an unnumbered invoice
-- (receivables_invoice_line_before_number) and an unnumbered invoice never commits, so every line
-- belongs to an invoice inserted in the same transaction, whose own check adds its lines up.
CREATE CONSTRAINT TRIGGER receivables_invoice_consistent
    AFTER INSERT ON receivables_invoice
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION receivables_invoice_deferred_check('whole');

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

CREATE CONSTRAINT TRIGGER receivables_payment_consistent
    AFTER INSERT OR UPDATE ON receivables_payment
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION receivables_payment_deferred_check();

-- Applications are written with their payment, in one statement: at its end they are the payment's
-- whole amount, and each one is an invoice of the payment's own customer and entity. Checked once per
-- statement, before the number is taken, rather than once per row at commit. So no application can
-- join a committed payment (its amount never changes), and the applications of a new one are what
-- its own deferred check re-reads whole, with the balances of its invoices.
CREATE FUNCTION receivables_applications_match() RETURNS trigger
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

CREATE TRIGGER receivables_payment_applications_match
    AFTER INSERT ON receivables_paymentapplication
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION receivables_applications_match();

-- History is append-only: lines and applications never change, documents are never deleted (a void
-- keeps them). The trigger's argument names the guard in the error.
CREATE FUNCTION receivables_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% row % is part of the receivables history and cannot be % (void the document instead)',
        TG_TABLE_NAME, OLD.id, lower(TG_OP)
        USING ERRCODE = 'restrict_violation', CONSTRAINT = TG_ARGV[0];
END
$$;

CREATE TRIGGER receivables_invoice_line_immutable
    BEFORE UPDATE OR DELETE ON receivables_invoiceline
    FOR EACH ROW EXECUTE FUNCTION receivables_refuse_change('invoice_line_append_only');

CREATE TRIGGER receivables_payment_application_immutable
    BEFORE UPDATE OR DELETE ON receivables_paymentapplication
    FOR EACH ROW EXECUTE FUNCTION receivables_refuse_change('payment_application_append_only');

CREATE TRIGGER receivables_invoice_kept
    BEFORE DELETE ON receivables_invoice
    FOR EACH ROW EXECUTE FUNCTION receivables_refuse_change('invoice_kept');

CREATE TRIGGER receivables_payment_kept
    BEFORE DELETE ON receivables_payment
    FOR EACH ROW EXECUTE FUNCTION receivables_refuse_change('payment_kept');

-- What was posted stays as posted: the party, entity, amount, date and entry of a document; its
-- number once written; a void once recorded. Payments and voids move only balance_due, status,
-- updated_at and the void fields.
CREATE FUNCTION receivables_invoice_guard() RETURNS trigger
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

CREATE TRIGGER receivables_invoice_posted
    BEFORE UPDATE ON receivables_invoice
    FOR EACH ROW EXECUTE FUNCTION receivables_invoice_guard();

CREATE FUNCTION receivables_payment_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.entity_id, NEW.customer_id, NEW.amount, NEW.payment_date, NEW.payment_method, NEW.journal_entry_id)
       IS DISTINCT FROM
       (OLD.entity_id, OLD.customer_id, OLD.amount, OLD.payment_date, OLD.payment_method, OLD.journal_entry_id) THEN
        RAISE EXCEPTION 'payment % is posted: its entity, customer, amount, payment_date, method and journal entry are fixed',
            OLD.id USING ERRCODE = 'restrict_violation', CONSTRAINT = 'payment_posted_fields_immutable';
    END IF;
    IF OLD.status = 'void'
       AND (NEW.status, NEW.void_journal_entry_id, NEW.voided_at, NEW.voided_by, NEW.void_reason)
           IS DISTINCT FROM (OLD.status, OLD.void_journal_entry_id, OLD.voided_at, OLD.voided_by, OLD.void_reason) THEN
        RAISE EXCEPTION 'payment % is void and stays void', OLD.id
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'payment_void_final';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER receivables_payment_posted
    BEFORE UPDATE ON receivables_payment
    FOR EACH ROW EXECUTE FUNCTION receivables_payment_guard();

-- A customer stays with its entity, so its invoices and payments keep referencing their own entity's rows.
CREATE FUNCTION receivables_customer_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'customer % belongs to entity % and cannot move to another', OLD.id, OLD.entity_id
        USING ERRCODE = 'restrict_violation', CONSTRAINT = 'customer_entity_immutable';
END
$$;

CREATE TRIGGER receivables_customer_entity_immutable
    BEFORE UPDATE ON receivables_customer
    FOR EACH ROW WHEN (NEW.entity_id IS DISTINCT FROM OLD.entity_id)
    EXECUTE FUNCTION receivables_customer_guard();

-- A line joins its invoice before the invoice is numbered (the services number a document last):
-- a numbered invoice takes no further line. Checked after the row's own CHECKs.
CREATE FUNCTION receivables_invoice_line_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM receivables_invoice AS i WHERE i.id = NEW.invoice_id AND i.number <> '') THEN
        RAISE EXCEPTION 'invoice % is numbered: it takes no further line', NEW.invoice_id
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'invoice_lines_before_number';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER receivables_invoice_line_before_number
    AFTER INSERT ON receivables_invoiceline
    FOR EACH ROW EXECUTE FUNCTION receivables_invoice_line_guard();

-- TRUNCATE fires no row trigger. A TRUNCATE of any receivables document or history table must leave
-- all of them and the ledger they were posted to empty, i.e. truncate them in the same statement,
-- as Django's test flush does; checked AFTER, once every table of the statement is truncated.
CREATE FUNCTION receivables_keep_history_on_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM receivables_invoice) OR EXISTS (SELECT 1 FROM receivables_invoiceline)
       OR EXISTS (SELECT 1 FROM receivables_payment) OR EXISTS (SELECT 1 FROM receivables_paymentapplication)
       OR EXISTS (SELECT 1 FROM erp_journalentry) THEN
        RAISE EXCEPTION '% is part of the receivables history: it is truncated only with all of it and the ledger',
            TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'receivables_history_kept';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER receivables_invoice_kept_on_truncate
    AFTER TRUNCATE ON receivables_invoice
    FOR EACH STATEMENT EXECUTE FUNCTION receivables_keep_history_on_truncate();

CREATE TRIGGER receivables_invoice_line_kept_on_truncate
    AFTER TRUNCATE ON receivables_invoiceline
    FOR EACH STATEMENT EXECUTE FUNCTION receivables_keep_history_on_truncate();

CREATE TRIGGER receivables_payment_kept_on_truncate
    AFTER TRUNCATE ON receivables_payment
    FOR EACH STATEMENT EXECUTE FUNCTION receivables_keep_history_on_truncate();

CREATE TRIGGER receivables_payment_application_kept_on_truncate
    AFTER TRUNCATE ON receivables_paymentapplication
    FOR EACH STATEMENT EXECUTE FUNCTION receivables_keep_history_on_truncate();
