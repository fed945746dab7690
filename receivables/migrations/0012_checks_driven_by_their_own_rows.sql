-- A payment's checks cost the same on the thousandth payment as on the first (reversed by
-- 0012_checks_driven_by_their_own_rows_reverse.sql; docs/benchmarks.md, "HTTP: multi-invoice-apply").
-- Two checks read the payments and the applications in a shape the planner may serve by reading every row:
--   * the applications' statement trigger asked "is there a payment among those inserted whose applications do
--     not add up", and was planned as a scan of every payment with the sum computed for each (701 payments,
--     701 sums, 8.5 ms, on a database 700 payments old);
--   * the payment's deferred check read its invoices through `id IN (applications of the payment)`, planned as
--     a scan of every application when the plan was made while the table was small (a session keeps its plan).
-- Now both start from the rows being checked: the inserted applications' own payments, the payment's own
-- applications by the (payment, invoice) index, each invoice and payment by its key. The same refusals.

-- Both read only by key; a plan made while a table was nearly empty (a new database, a session that began then)
-- must not stay a scan of the whole table once it has grown: no sequential scan in them (SET below).
CREATE OR REPLACE FUNCTION receivables_applications_match() RETURNS trigger
LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM added AS a
                WHERE (SELECT ROW(i.customer_id, i.entity_id) FROM receivables_invoice AS i WHERE i.id = a.invoice_id)
                      <> (SELECT ROW(p.customer_id, p.entity_id) FROM receivables_payment AS p WHERE p.id = a.payment_id)) THEN
        RAISE EXCEPTION 'a payment applies to an invoice of another customer or entity'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'payment_applications_match';
    END IF;
    IF EXISTS (SELECT 1 FROM added AS a
                WHERE (SELECT i.status FROM receivables_invoice AS i WHERE i.id = a.invoice_id) = 'draft') THEN
        RAISE EXCEPTION 'a payment applies to a draft invoice'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'payment_applies_to_posted_invoices';
    END IF;
    IF EXISTS (SELECT 1 FROM (SELECT DISTINCT a.payment_id FROM added AS a) AS n
                WHERE (SELECT p.amount FROM receivables_payment AS p WHERE p.id = n.payment_id)
                      <> (SELECT coalesce(sum(x.amount_applied), 0)
                            FROM receivables_paymentapplication AS x WHERE x.payment_id = n.payment_id)) THEN
        RAISE EXCEPTION 'a payment''s applications do not add up to its amount'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'payment_applications_match';
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION receivables_payment_deferred_check() RETURNS trigger
LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
    -- A payment applied (its applications are inserted with it) or voided changes what its invoices
    -- lost: their balances are checked here, in one statement, instead of once per application.
    IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
        IF EXISTS (SELECT 1 FROM receivables_paymentapplication AS a
                    WHERE a.payment_id = NEW.id
                      AND (SELECT CASE WHEN i.status = 'void' THEN 0 ELSE i.total - i.balance_due END
                                  <> i.applied_total
                             FROM receivables_invoice AS i WHERE i.id = a.invoice_id)) THEN
            RAISE EXCEPTION 'payment %: an invoice''s balance does not match what is applied to it', NEW.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'invoice_balance_matches_applications';
        END IF;
    END IF;
    PERFORM receivables_payment_check(NEW.id);
    RETURN NULL;
END
$$;
