-- A payment writes each of its invoices once (reversed by 0010_invoice_written_once_per_payment_reverse.sql;
-- docs/benchmarks.md, "HTTP: multi-invoice-apply"). The running total of 0004 moved with the applications'
-- INSERT, then the service moved the balance and the status of the same 50 rows in a second UPDATE. A row
-- updated again in the transaction that wrote it re-checks all its foreign keys at commit, changed or not
-- (PostgreSQL's RI_FKey_fk_upd_check_required: the old version is the transaction's own): 50 reads FOR KEY
-- SHARE of the entity's row, shared by every concurrent payment of the entity, and 50 each of the customer
-- and the invoice's journal entry. Now the database moves the balance and the status with the total, in the
-- total's own UPDATE: what the applied payments applied is still all an invoice's balance can lose, and the
-- service no longer moves the balances of invoices. Every guard stays: the balance check of 0003/0004 still
-- refuses a balance moved by anything else, and only these triggers still write the total.

-- An invoice's total moves by `amounts` and its balance the other way, with the status that balance means
-- (the status the balance CHECK of 0001 requires): one new version of each row.
CREATE FUNCTION receivables_invoices_move(invoice_ids uuid[], amounts numeric[]) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    UPDATE receivables_invoice AS i
       SET applied_total = i.applied_total + m.amount,
           balance_due = i.balance_due - m.amount,
           status = CASE WHEN i.balance_due - m.amount = 0 THEN 'paid'
                         WHEN i.balance_due - m.amount = i.total THEN 'open'
                         ELSE 'partially_paid' END,
           updated_at = statement_timestamp()
      FROM unnest(invoice_ids, amounts) AS m(id, amount)
     WHERE i.id = m.id;
END
$$;

-- Applications of an applied payment take what they apply off their invoices (0009's reading of each payment
-- by its key).
CREATE OR REPLACE FUNCTION receivables_applied_total_add() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM receivables_invoices_move(array_agg(s.invoice_id), array_agg(s.amount))
       FROM (SELECT a.invoice_id, sum(a.amount_applied) AS amount
               FROM added AS a
              WHERE (SELECT p.status FROM receivables_payment AS p WHERE p.id = a.payment_id) = 'applied'
              GROUP BY a.invoice_id) AS s;
    RETURN NULL;
END
$$;

-- Renamed so that it fires after receivables_payment_applications_match (a statement's triggers fire in the
-- order of their names): an application to a draft, or to another customer's invoice, is refused by that
-- check before its invoice is moved, with the error it always had.
DROP TRIGGER receivables_invoice_applied_total_add ON receivables_paymentapplication;
CREATE TRIGGER receivables_payment_applications_move_invoices
    AFTER INSERT ON receivables_paymentapplication
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION receivables_applied_total_add();

-- A payment that stops being applied (a void) gives what it applied back to its invoices: the balance with the
-- total. The service locks the invoices first, in id order, as every payment does.
CREATE OR REPLACE FUNCTION receivables_applied_total_move() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM receivables_invoices_move(
                array_agg(s.invoice_id),
                array_agg(CASE WHEN NEW.status = 'applied' THEN s.amount ELSE -s.amount END))
       FROM (SELECT a.invoice_id, sum(a.amount_applied) AS amount
               FROM receivables_paymentapplication AS a
              WHERE a.payment_id = NEW.id
              GROUP BY a.invoice_id) AS s;
    RETURN NULL;
END
$$;

-- The total's guard (0004, 0007) refuses a write of the total by a statement run directly; its function tested
-- pg_trigger_depth() < 2 inside it (its own call counts one). Its WHEN now tests the depth of the statement
-- itself, so the function runs only for the writes it refuses, not for each invoice a payment moves.
DROP TRIGGER receivables_invoice_applied_total_kept_on_update ON receivables_invoice;
CREATE TRIGGER receivables_invoice_applied_total_kept_on_update
    BEFORE UPDATE ON receivables_invoice
    FOR EACH ROW WHEN (NEW.applied_total IS DISTINCT FROM OLD.applied_total AND pg_trigger_depth() < 1)
    EXECUTE FUNCTION receivables_applied_total_guard();
