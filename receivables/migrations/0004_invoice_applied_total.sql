-- A checked running total per invoice (reversed by 0004_invoice_applied_total_reverse.sql).
-- The balance guards of 0003 re-added every application of an invoice each time a payment moved it, so
-- a payment cost more the more payments its invoices had had (docs/benchmarks.md, "HTTP: the API path").
-- Now the database keeps `applied_total` = what the applied (not void) payments applied to the invoice:
-- triggers add a payment's applications when they are inserted and take them off when the payment
-- stops being applied, and nothing else may write it. Applications are append-only and payments are
-- never deleted (0003), so the total can only move through those two triggers. The guards then compare
-- the invoice with its own total instead of re-adding its history: the same rule, at a constant cost.
-- The column is the database's own: Django's Invoice model never reads or writes it.

ALTER TABLE receivables_invoice ADD COLUMN applied_total numeric(14, 2) NOT NULL DEFAULT 0;

UPDATE receivables_invoice AS i
   SET applied_total = s.amount
  FROM (SELECT a.invoice_id, sum(a.amount_applied) AS amount
          FROM receivables_paymentapplication AS a JOIN receivables_payment AS p ON p.id = a.payment_id
         WHERE p.status = 'applied'
         GROUP BY a.invoice_id) AS s
 WHERE i.id = s.invoice_id;

-- Applications of an applied payment add to their invoices' totals, once per statement.
CREATE FUNCTION receivables_applied_total_add() RETURNS trigger
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

CREATE TRIGGER receivables_invoice_applied_total_add
    AFTER INSERT ON receivables_paymentapplication
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION receivables_applied_total_add();

-- A payment that stops (or, were it allowed, starts) being applied takes its applications off (or adds them).
CREATE FUNCTION receivables_applied_total_move() RETURNS trigger
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

CREATE TRIGGER receivables_invoice_applied_total_move
    AFTER UPDATE ON receivables_payment
    FOR EACH ROW
    WHEN ((OLD.status = 'applied') IS DISTINCT FROM (NEW.status = 'applied'))
    EXECUTE FUNCTION receivables_applied_total_move();

-- Only those triggers write the total: an invoice starts at zero, and a statement run directly (trigger
-- depth 1) may not change it.
CREATE FUNCTION receivables_applied_total_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (TG_OP = 'INSERT' AND NEW.applied_total <> 0)
       OR (TG_OP = 'UPDATE' AND NEW.applied_total IS DISTINCT FROM OLD.applied_total AND pg_trigger_depth() < 2) THEN
        RAISE EXCEPTION 'invoice %: applied_total is kept by the database from the applied payments', NEW.id
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'invoice_applied_total_kept';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER receivables_invoice_applied_total_kept
    BEFORE INSERT OR UPDATE ON receivables_invoice
    FOR EACH ROW EXECUTE FUNCTION receivables_applied_total_guard();

-- The guards of 0003, comparing with the running total instead of re-adding every application.
CREATE OR REPLACE FUNCTION receivables_invoice_balance_check(invoice receivables_invoice) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF (invoice.status = 'void' AND invoice.applied_total <> 0)
       OR (invoice.status <> 'void' AND invoice.total - invoice.balance_due <> invoice.applied_total) THEN
        RAISE EXCEPTION 'invoice %: total % - balance_due % does not match the % applied to it',
            invoice.id, invoice.total, invoice.balance_due, invoice.applied_total
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
                          <> i.applied_total) THEN
            RAISE EXCEPTION 'payment %: an invoice''s balance does not match what is applied to it', NEW.id
                USING ERRCODE = 'check_violation', CONSTRAINT = 'invoice_balance_matches_applications';
        END IF;
    END IF;
    PERFORM receivables_payment_check(NEW.id);
    RETURN NULL;
END
$$;
