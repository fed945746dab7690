-- Back to the running total of 0004/0009 alone: the service moves the balances again.

DROP TRIGGER receivables_invoice_applied_total_kept_on_update ON receivables_invoice;
CREATE TRIGGER receivables_invoice_applied_total_kept_on_update
    BEFORE UPDATE ON receivables_invoice
    FOR EACH ROW WHEN (NEW.applied_total IS DISTINCT FROM OLD.applied_total)
    EXECUTE FUNCTION receivables_applied_total_guard();

CREATE OR REPLACE FUNCTION receivables_applied_total_move() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE receivables_invoice AS i
       SET applied_total = i.applied_total + CASE WHEN NEW.status = 'applied' THEN s.amount ELSE -s.amount END
      FROM (SELECT a.invoice_id, sum(a.amount_applied) AS amount
              FROM receivables_paymentapplication AS a
             WHERE a.payment_id = NEW.id
             GROUP BY a.invoice_id) AS s
     WHERE i.id = s.invoice_id;
    RETURN NULL;
END
$$;

DROP TRIGGER receivables_payment_applications_move_invoices ON receivables_paymentapplication;
CREATE TRIGGER receivables_invoice_applied_total_add
    AFTER INSERT ON receivables_paymentapplication
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION receivables_applied_total_add();

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

DROP FUNCTION receivables_invoices_move(uuid[], numeric[]);
