-- Back to 0004's running total and 0005's check (each joining the payments whole).

CREATE OR REPLACE FUNCTION receivables_applied_total_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE receivables_invoice AS i
       SET applied_total = i.applied_total + s.amount
      FROM (SELECT a.invoice_id, sum(a.amount_applied) AS amount
              FROM added AS a JOIN receivables_payment AS p ON p.id = a.payment_id
             WHERE p.status = 'applied'
             GROUP BY a.invoice_id) AS s
     WHERE i.id = s.invoice_id;
    RETURN NULL;
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
