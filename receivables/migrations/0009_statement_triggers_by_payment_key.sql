-- The two statement triggers on a payment's applications (0003/0005's check, 0004's running total) joined the
-- transition table to receivables_payment, and the planner, expecting 50 rows from the transition table, read
-- the whole payments table into a hash (a sequential scan per payment: the longer the history, the slower each
-- payment; docs/benchmarks.md, "HTTP: multi-invoice-apply"). Each application now reads its payment by the
-- primary key in a scalar subquery: the same rows pass (an application whose payment does not exist yields
-- NULL, which passes no test, as the inner join dropped it; the foreign keys refuse it), at a cost that does
-- not grow with the payments (reversed by 0009_statement_triggers_by_payment_key_reverse.sql).

CREATE OR REPLACE FUNCTION receivables_applied_total_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE receivables_invoice AS i
       SET applied_total = i.applied_total + s.amount
      FROM (SELECT a.invoice_id, sum(a.amount_applied) AS amount
              FROM added AS a
             WHERE (SELECT p.status FROM receivables_payment AS p WHERE p.id = a.payment_id) = 'applied'
             GROUP BY a.invoice_id) AS s
     WHERE i.id = s.invoice_id;
    RETURN NULL;
END
$$;

-- 0005's check, its first test reading the invoice and the payment by key (a join let the planner read one of
-- them whole): their (customer, entity) differ in either column. A missing row yields NULL and is left, as the
-- join left it, to the foreign keys.
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
