-- A checked running total per bill and per vendor credit, moved with the balance in one write (reversed by
-- 0009_running_totals_written_once_per_payment_reverse.sql; docs/benchmarks.md, "The third pass"), the shape
-- receivables has (receivables/migrations/0004_invoice_applied_total.sql, 0010, 0012).
-- The balance checks of 0002 and 0004 re-added every application of a bill (every credit application of a
-- credit) each time a payment moved it: the 50 bills of a payment queued 50 checks at commit, each summing
-- that bill's whole history, and the payment's own check summed it once more, so an AP payment cost more the
-- more payments its bills and credits had had. The service then moved the balances in a second UPDATE.
-- Now the database keeps, per bill, `applied_total` = what the applied (not void) payments applied to it,
-- and per credit `spent_total` = what they spent from it. The applications' INSERT moves each bill's total,
-- balance and status (each credit's total, remainder and status) in one write of the row; a payment's void
-- gives them back in the payment's own UPDATE (a credit expired meanwhile takes it as expired_amount, as
-- the service's void did). Nothing else may write the totals. Applications are append-only and payments
-- never deleted (0002), so a total moves only through these triggers; the checks compare a bill or a credit
-- with its own total instead of re-adding its history: the same rules and refusals, at a constant cost.
-- The columns are the database's own: Django's models never read or write them.

ALTER TABLE payables_vendorbill ADD COLUMN applied_total numeric(14, 2) NOT NULL DEFAULT 0;
ALTER TABLE payables_vendorcredit ADD COLUMN spent_total numeric(14, 2) NOT NULL DEFAULT 0;

-- 0004's full check at commit runs for an update changing anything besides what a payment or its void moves:
-- the totals join those fields (they move only with them).
DROP TRIGGER payables_vendor_bill_posted_still_consistent ON payables_vendorbill;
CREATE CONSTRAINT TRIGGER payables_vendor_bill_posted_still_consistent
    AFTER UPDATE ON payables_vendorbill
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN ((to_jsonb(NEW) - ARRAY['balance_due', 'status', 'updated_at', 'applied_total'])
          IS DISTINCT FROM (to_jsonb(OLD) - ARRAY['balance_due', 'status', 'updated_at', 'applied_total']))
    EXECUTE FUNCTION payables_posted_deferred_check();

DROP TRIGGER payables_vendor_credit_posted_still_consistent ON payables_vendorcredit;
CREATE CONSTRAINT TRIGGER payables_vendor_credit_posted_still_consistent
    AFTER UPDATE ON payables_vendorcredit
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN ((to_jsonb(NEW) - ARRAY['remaining_amount', 'status', 'updated_at', 'spent_total'])
          IS DISTINCT FROM (to_jsonb(OLD) - ARRAY['remaining_amount', 'status', 'updated_at', 'spent_total']))
    EXECUTE FUNCTION payables_posted_deferred_check();

-- A bill's total moves by `amounts` and its balance the other way, with the status that balance means (the
-- CHECK vendor_bill_status_matches_balance of 0001): one new version of each row. Bills are read by key.
CREATE FUNCTION payables_bills_move(bill_ids uuid[], amounts numeric[]) RETURNS void
LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
    UPDATE payables_vendorbill AS b
       SET applied_total = b.applied_total + m.amount,
           balance_due = b.balance_due - m.amount,
           status = CASE WHEN b.balance_due - m.amount = 0 THEN 'paid'
                         WHEN b.balance_due - m.amount = b.total THEN 'open'
                         ELSE 'partially_paid' END,
           updated_at = statement_timestamp()
      FROM unnest(bill_ids, amounts) AS m(id, amount)
     WHERE b.id = m.id;
END
$$;

-- A credit's total moves by `amounts` (spent: positive; given back: negative) and its remainder the other way,
-- with the status that remainder means (the CHECK vendor_credit_status_matches_amounts of 0001). What is given
-- back to a credit that expired meanwhile was written off with it: it joins expired_amount (the service posts
-- that write-off, which 0004's check of the credit matches against expired_amount at commit).
CREATE FUNCTION payables_credits_move(credit_ids uuid[], amounts numeric[]) RETURNS void
LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
    UPDATE payables_vendorcredit AS c
       SET spent_total = c.spent_total + m.amount,
           remaining_amount = CASE WHEN c.status = 'expired' AND m.amount < 0 THEN c.remaining_amount
                                   ELSE c.remaining_amount - m.amount END,
           expired_amount = CASE WHEN c.status = 'expired' AND m.amount < 0 THEN c.expired_amount - m.amount
                                 ELSE c.expired_amount END,
           status = CASE WHEN c.status = 'expired' AND m.amount < 0 THEN 'expired'
                         WHEN c.remaining_amount - m.amount = 0 THEN 'applied'
                         WHEN c.remaining_amount - m.amount = c.amount THEN 'open'
                         ELSE 'partially_applied' END,
           updated_at = statement_timestamp()
      FROM unnest(credit_ids, amounts) AS m(id, amount)
     WHERE c.id = m.id;
END
$$;

-- Applications of an applied payment take what they apply off their bills, once per statement (each payment
-- read by its key). Named to fire after payables_ap_payment_applications_matched (a statement's triggers fire
-- in the order of their names): an application to a draft, or to another vendor's bill, is refused by that
-- check before its bill is moved, with the error it always had.
CREATE FUNCTION payables_bill_applications_move() RETURNS trigger
LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
    PERFORM payables_bills_move(array_agg(s.bill_id), array_agg(s.amount))
       FROM (SELECT a.bill_id, sum(a.amount_applied) AS amount
               FROM added AS a
              WHERE (SELECT p.status FROM payables_appayment AS p WHERE p.id = a.payment_id) = 'applied'
              GROUP BY a.bill_id) AS s;
    RETURN NULL;
END
$$;

CREATE TRIGGER payables_ap_payment_applications_move_bills
    AFTER INSERT ON payables_appaymentapplication
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION payables_bill_applications_move();

-- The same for the credits a payment spends (after payables_vendor_credit_applications_matched).
CREATE FUNCTION payables_credit_applications_move() RETURNS trigger
LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
    PERFORM payables_credits_move(array_agg(s.vendor_credit_id), array_agg(s.amount))
       FROM (SELECT x.vendor_credit_id, sum(x.amount) AS amount
               FROM added AS x
              WHERE (SELECT p.status FROM payables_appayment AS p WHERE p.id = x.payment_id) = 'applied'
              GROUP BY x.vendor_credit_id) AS s;
    RETURN NULL;
END
$$;

CREATE TRIGGER payables_vendor_credit_applications_move_credits
    AFTER INSERT ON payables_vendorcreditapplication
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION payables_credit_applications_move();

-- A payment that stops being applied (a void) gives what it applied back to its bills and what it spent back
-- to its credits, reading its own applications by the (payment, …) indexes. The service locks the payment,
-- then its bills, then its credits, in id order, as every payment does (payables/lock_objects.py).
CREATE FUNCTION payables_ap_payment_give_back() RETURNS trigger
LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
    sign numeric := CASE WHEN NEW.status = 'applied' THEN 1 ELSE -1 END;
BEGIN
    PERFORM payables_bills_move(array_agg(s.bill_id), array_agg(sign * s.amount))
       FROM (SELECT a.bill_id, sum(a.amount_applied) AS amount
               FROM payables_appaymentapplication AS a
              WHERE a.payment_id = NEW.id
              GROUP BY a.bill_id) AS s;
    PERFORM payables_credits_move(array_agg(s.vendor_credit_id), array_agg(sign * s.amount))
       FROM (SELECT x.vendor_credit_id, sum(x.amount) AS amount
               FROM payables_vendorcreditapplication AS x
              WHERE x.payment_id = NEW.id
              GROUP BY x.vendor_credit_id) AS s;
    RETURN NULL;
END
$$;

CREATE TRIGGER payables_ap_payment_gives_back
    AFTER UPDATE ON payables_appayment
    FOR EACH ROW
    WHEN ((OLD.status = 'applied') IS DISTINCT FROM (NEW.status = 'applied'))
    EXECUTE FUNCTION payables_ap_payment_give_back();

-- Only those triggers write the totals: a bill or a credit starts at zero, and a statement run directly
-- (trigger depth 0, tested in the WHEN, so the function runs only for the writes it refuses) may not change it.
CREATE FUNCTION payables_running_total_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_TABLE_NAME = 'payables_vendorbill' THEN
        RAISE EXCEPTION 'vendor bill %: applied_total is kept by the database from the applied payments', NEW.id
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'vendor_bill_applied_total_kept';
    END IF;
    RAISE EXCEPTION 'vendor credit %: spent_total is kept by the database from the applied payments', NEW.id
        USING ERRCODE = 'restrict_violation', CONSTRAINT = 'vendor_credit_spent_total_kept';
END
$$;

-- 0002/0005's checks of a bill and of a credit, comparing each with its own total instead of re-adding its
-- applications: a bill lost exactly what the applied payments applied to it, a credit's amount is what is
-- left, what expired and what they spent (a void one has nothing applied or spent), and it was numbered.
CREATE OR REPLACE FUNCTION payables_vendor_bill_check(checked_id uuid) RETURNS void
LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
    bill payables_vendorbill%ROWTYPE;
BEGIN
    SELECT * INTO bill FROM payables_vendorbill WHERE id = checked_id;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF (bill.status = 'void' AND bill.applied_total <> 0)
       OR (bill.status <> 'void' AND bill.total - bill.balance_due <> bill.applied_total) THEN
        RAISE EXCEPTION 'vendor bill %: total % - balance_due % does not match the % applied to it',
            checked_id, bill.total, bill.balance_due, bill.applied_total
            USING ERRCODE = 'check_violation', CONSTRAINT = 'vendor_bill_balance_matches_applications';
    END IF;
    IF bill.number = '' AND bill.status <> 'draft' THEN
        RAISE EXCEPTION 'vendor bill % was not numbered before commit', checked_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'vendor_bill_numbered';
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION payables_vendor_credit_check(checked_id uuid) RETURNS void
LANGUAGE plpgsql SET enable_seqscan = off AS $$
DECLARE
    credit payables_vendorcredit%ROWTYPE;
BEGIN
    SELECT * INTO credit FROM payables_vendorcredit WHERE id = checked_id;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF (credit.status = 'voided' AND credit.spent_total <> 0)
       OR (credit.status <> 'voided'
           AND credit.amount - credit.remaining_amount - credit.expired_amount <> credit.spent_total) THEN
        RAISE EXCEPTION 'vendor credit %: amount % - remaining % - expired % does not match the % spent from it',
            checked_id, credit.amount, credit.remaining_amount, credit.expired_amount, credit.spent_total
            USING ERRCODE = 'check_violation', CONSTRAINT = 'vendor_credit_remaining_matches_applications';
    END IF;
    IF credit.credit_number = '' THEN
        RAISE EXCEPTION 'vendor credit % was not numbered before commit', checked_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'vendor_credit_numbered';
    END IF;
END
$$;

-- 0002's check of a payment (its applications' sums and vendors, its number) reads its own applications by
-- the (payment, …) indexes and each bill and credit by key: never a scan, whatever the plan was made on.
ALTER FUNCTION payables_ap_payment_check(uuid) SET enable_seqscan = off;

-- 0002's deferred checks of a bill and of a credit were queued by every update of the row, so a payment of 50
-- bills queued 50 at commit. They are queued now for an insert and for every update that leaves the total as it
-- was: every write but the moves above (a direct write of a total is refused), which keep a row's total and
-- balance (remainder) in step by construction and are checked by the payment's own deferred check (below),
-- comparing each of its bills and credits with its total. The 0001 CHECKs still judge a moved row at once, and a
-- balance moved again by hand afterwards queues its own check. "_consistent_on_update" sorts before
-- "_posted_still_consistent": an update queuing both is judged by this check first, as before (the events of
-- one row fire in the order of their triggers' names).
DROP TRIGGER payables_vendor_bill_consistent ON payables_vendorbill;
CREATE CONSTRAINT TRIGGER payables_vendor_bill_consistent
    AFTER INSERT ON payables_vendorbill
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payables_document_deferred_check();
CREATE CONSTRAINT TRIGGER payables_vendor_bill_consistent_on_update
    AFTER UPDATE ON payables_vendorbill
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.applied_total IS NOT DISTINCT FROM OLD.applied_total)
    EXECUTE FUNCTION payables_document_deferred_check();

DROP TRIGGER payables_vendor_credit_consistent ON payables_vendorcredit;
CREATE CONSTRAINT TRIGGER payables_vendor_credit_consistent
    AFTER INSERT ON payables_vendorcredit
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payables_document_deferred_check();
CREATE CONSTRAINT TRIGGER payables_vendor_credit_consistent_on_update
    AFTER UPDATE ON payables_vendorcredit
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW WHEN (NEW.spent_total IS NOT DISTINCT FROM OLD.spent_total)
    EXECUTE FUNCTION payables_document_deferred_check();

-- 0008's deferred check of a payment, comparing each of its bills and credits with its own total.
CREATE OR REPLACE FUNCTION payables_posted_deferred_check() RETURNS trigger
LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
    CASE TG_TABLE_NAME
        WHEN 'payables_vendorbill' THEN
            PERFORM payables_posted_document_check('vendor_bill', NEW.id);
        WHEN 'payables_vendorcredit' THEN
            PERFORM payables_posted_document_check('vendor_credit', NEW.id);
        WHEN 'payables_appayment' THEN
            -- A payment applied (its applications are inserted with it) or voided changes what its
            -- bills and credits lost: their balances are checked here, one statement for the bills and
            -- one for the credits, instead of once per application. Any other update (its number)
            -- leaves their totals as they were, so they are not re-read for it.
            IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
                IF EXISTS (SELECT 1 FROM payables_appaymentapplication AS mine
                            WHERE mine.payment_id = NEW.id
                              AND (SELECT CASE WHEN b.status = 'void' THEN 0 ELSE b.total - b.balance_due END
                                          <> b.applied_total
                                     FROM payables_vendorbill AS b WHERE b.id = mine.bill_id)) THEN
                    RAISE EXCEPTION 'AP payment %: a bill''s balance does not match what is applied to it', NEW.id
                        USING ERRCODE = 'check_violation', CONSTRAINT = 'vendor_bill_balance_matches_applications';
                END IF;
                IF EXISTS (SELECT 1 FROM payables_vendorcreditapplication AS mine
                            WHERE mine.payment_id = NEW.id
                              AND (SELECT CASE WHEN c.status = 'voided' THEN 0
                                               ELSE c.amount - c.remaining_amount - c.expired_amount END
                                          <> c.spent_total
                                     FROM payables_vendorcredit AS c WHERE c.id = mine.vendor_credit_id)) THEN
                    RAISE EXCEPTION 'AP payment %: a vendor credit''s remainder does not match what is spent from it', NEW.id
                        USING ERRCODE = 'check_violation', CONSTRAINT = 'vendor_credit_remaining_matches_applications';
                END IF;
            END IF;
            PERFORM payables_posted_document_check('ap_payment', NEW.id);
    END CASE;
    RETURN NULL;
END
$$;

-- The totals as the applications of the applied payments have them today (the guards below come after).
UPDATE payables_vendorbill AS b
   SET applied_total = s.amount
  FROM (SELECT a.bill_id, sum(a.amount_applied) AS amount
          FROM payables_appaymentapplication AS a JOIN payables_appayment AS p ON p.id = a.payment_id
         WHERE p.status = 'applied'
         GROUP BY a.bill_id) AS s
 WHERE b.id = s.bill_id;

UPDATE payables_vendorcredit AS c
   SET spent_total = s.amount
  FROM (SELECT x.vendor_credit_id, sum(x.amount) AS amount
          FROM payables_vendorcreditapplication AS x JOIN payables_appayment AS p ON p.id = x.payment_id
         WHERE p.status = 'applied'
         GROUP BY x.vendor_credit_id) AS s
 WHERE c.id = s.vendor_credit_id;

-- The totals' guards (their function is above).
CREATE TRIGGER payables_vendor_bill_applied_total_kept
    BEFORE INSERT ON payables_vendorbill
    FOR EACH ROW WHEN (NEW.applied_total <> 0)
    EXECUTE FUNCTION payables_running_total_guard();
CREATE TRIGGER payables_vendor_bill_applied_total_kept_on_update
    BEFORE UPDATE ON payables_vendorbill
    FOR EACH ROW WHEN (NEW.applied_total IS DISTINCT FROM OLD.applied_total AND pg_trigger_depth() < 1)
    EXECUTE FUNCTION payables_running_total_guard();
CREATE TRIGGER payables_vendor_credit_spent_total_kept
    BEFORE INSERT ON payables_vendorcredit
    FOR EACH ROW WHEN (NEW.spent_total <> 0)
    EXECUTE FUNCTION payables_running_total_guard();
CREATE TRIGGER payables_vendor_credit_spent_total_kept_on_update
    BEFORE UPDATE ON payables_vendorcredit
    FOR EACH ROW WHEN (NEW.spent_total IS DISTINCT FROM OLD.spent_total AND pg_trigger_depth() < 1)
    EXECUTE FUNCTION payables_running_total_guard();
