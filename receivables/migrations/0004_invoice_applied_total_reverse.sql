-- Reverses 0004_invoice_applied_total.sql: the guards of 0003 re-add the applications again.

CREATE OR REPLACE FUNCTION receivables_invoice_balance_check(invoice receivables_invoice) RETURNS void
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

CREATE OR REPLACE FUNCTION receivables_payment_deferred_check() RETURNS trigger
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

DROP TRIGGER receivables_invoice_applied_total_kept ON receivables_invoice;
DROP FUNCTION receivables_applied_total_guard();
DROP TRIGGER receivables_invoice_applied_total_move ON receivables_payment;
DROP FUNCTION receivables_applied_total_move();
DROP TRIGGER receivables_invoice_applied_total_add ON receivables_paymentapplication;
DROP FUNCTION receivables_applied_total_add();
ALTER TABLE receivables_invoice DROP COLUMN applied_total;
