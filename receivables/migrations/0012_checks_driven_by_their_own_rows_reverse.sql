-- Reverses 0012_checks_driven_by_their_own_rows.sql: the checks as 0009 and 0004 left them.

-- (CREATE OR REPLACE without a SET clause drops the functions' enable_seqscan setting.)

CREATE OR REPLACE FUNCTION receivables_applications_match() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM added AS a
                WHERE (SELECT ROW(i.customer_id, i.entity_id) FROM receivables_invoice AS i WHERE i.id = a.invoice_id)
                      <> (SELECT ROW(p.customer_id, p.entity_id) FROM receivables_payment AS p WHERE p.id = a.payment_id)) THEN
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
                          <> i.applied_total) THEN
            RAISE EXCEPTION 'payment %: an invoice''s balance does not match what is applied to it', NEW.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'invoice_balance_matches_applications';
        END IF;
    END IF;
    PERFORM receivables_payment_check(NEW.id);
    RETURN NULL;
END
$$;
