-- Reverses 0009_running_totals_written_once_per_payment.sql: the checks re-add each bill's and credit's
-- applications again (as 0002, 0005 and 0008 left them) and the service moves the balances again. (A CREATE OR
-- REPLACE without a SET clause drops a function's enable_seqscan setting: 0002/0005's checks had none.)

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
            -- leaves their sums as they were, so they are not re-read for it.
            IF TG_OP = 'INSERT' OR NEW.status IS DISTINCT FROM OLD.status THEN
                IF EXISTS (SELECT 1 FROM payables_appaymentapplication AS mine
                            WHERE mine.payment_id = NEW.id
                              AND (SELECT CASE WHEN b.status = 'void' THEN 0 ELSE b.total - b.balance_due END
                                          <> (SELECT coalesce(sum(a.amount_applied), 0)
                                                FROM payables_appaymentapplication AS a
                                               WHERE a.bill_id = b.id
                                                 AND (SELECT p.status FROM payables_appayment AS p
                                                       WHERE p.id = a.payment_id) = 'applied')
                                     FROM payables_vendorbill AS b WHERE b.id = mine.bill_id)) THEN
                    RAISE EXCEPTION 'AP payment %: a bill''s balance does not match what is applied to it', NEW.id
                        USING ERRCODE = 'check_violation', CONSTRAINT = 'vendor_bill_balance_matches_applications';
                END IF;
                IF EXISTS (SELECT 1 FROM payables_vendorcreditapplication AS mine
                            WHERE mine.payment_id = NEW.id
                              AND (SELECT CASE WHEN c.status = 'voided' THEN 0
                                               ELSE c.amount - c.remaining_amount - c.expired_amount END
                                          <> (SELECT coalesce(sum(s.amount), 0)
                                                FROM payables_vendorcreditapplication AS s
                                               WHERE s.vendor_credit_id = c.id
                                                 AND (SELECT p.status FROM payables_appayment AS p
                                                       WHERE p.id = s.payment_id) = 'applied')
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

CREATE OR REPLACE FUNCTION payables_vendor_bill_check(checked_id uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    bill payables_vendorbill%ROWTYPE;
    applied numeric;
BEGIN
    SELECT * INTO bill FROM payables_vendorbill WHERE id = checked_id;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT coalesce(sum(a.amount_applied), 0) INTO applied
      FROM payables_appaymentapplication AS a JOIN payables_appayment AS p ON p.id = a.payment_id
     WHERE a.bill_id = checked_id AND p.status = 'applied';
    IF (bill.status = 'void' AND applied <> 0) OR (bill.status <> 'void' AND bill.total - bill.balance_due <> applied) THEN
        RAISE EXCEPTION 'vendor bill %: total % - balance_due % does not match the % applied to it',
            checked_id, bill.total, bill.balance_due, applied
            USING ERRCODE = 'check_violation', CONSTRAINT = 'vendor_bill_balance_matches_applications';
    END IF;
    IF bill.number = '' AND bill.status <> 'draft' THEN
        RAISE EXCEPTION 'vendor bill % was not numbered before commit', checked_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'vendor_bill_numbered';
    END IF;
END
$$;

CREATE OR REPLACE FUNCTION payables_vendor_credit_check(checked_id uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    credit payables_vendorcredit%ROWTYPE;
    spent numeric;
BEGIN
    SELECT * INTO credit FROM payables_vendorcredit WHERE id = checked_id;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT coalesce(sum(s.amount), 0) INTO spent
      FROM payables_vendorcreditapplication AS s JOIN payables_appayment AS p ON p.id = s.payment_id
     WHERE s.vendor_credit_id = checked_id AND p.status = 'applied';
    IF (credit.status = 'voided' AND spent <> 0)
       OR (credit.status <> 'voided' AND credit.amount - credit.remaining_amount - credit.expired_amount <> spent) THEN
        RAISE EXCEPTION 'vendor credit %: amount % - remaining % - expired % does not match the % spent from it',
            checked_id, credit.amount, credit.remaining_amount, credit.expired_amount, spent
            USING ERRCODE = 'check_violation', CONSTRAINT = 'vendor_credit_remaining_matches_applications';
    END IF;
    IF credit.credit_number = '' THEN
        RAISE EXCEPTION 'vendor credit % was not numbered before commit', checked_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'vendor_credit_numbered';
    END IF;
END
$$;

ALTER FUNCTION payables_ap_payment_check(uuid) RESET enable_seqscan;

DROP TRIGGER payables_vendor_credit_consistent_on_update ON payables_vendorcredit;
DROP TRIGGER payables_vendor_credit_consistent ON payables_vendorcredit;
CREATE CONSTRAINT TRIGGER payables_vendor_credit_consistent
    AFTER INSERT OR UPDATE ON payables_vendorcredit
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payables_document_deferred_check();

DROP TRIGGER payables_vendor_bill_consistent_on_update ON payables_vendorbill;
DROP TRIGGER payables_vendor_bill_consistent ON payables_vendorbill;
CREATE CONSTRAINT TRIGGER payables_vendor_bill_consistent
    AFTER INSERT OR UPDATE ON payables_vendorbill
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payables_document_deferred_check();

DROP TRIGGER payables_vendor_credit_spent_total_kept_on_update ON payables_vendorcredit;
DROP TRIGGER payables_vendor_credit_spent_total_kept ON payables_vendorcredit;
DROP TRIGGER payables_vendor_bill_applied_total_kept_on_update ON payables_vendorbill;
DROP TRIGGER payables_vendor_bill_applied_total_kept ON payables_vendorbill;
DROP FUNCTION payables_running_total_guard();

DROP TRIGGER payables_ap_payment_gives_back ON payables_appayment;
DROP FUNCTION payables_ap_payment_give_back();
DROP TRIGGER payables_vendor_credit_applications_move_credits ON payables_vendorcreditapplication;
DROP FUNCTION payables_credit_applications_move();
DROP TRIGGER payables_ap_payment_applications_move_bills ON payables_appaymentapplication;
DROP FUNCTION payables_bill_applications_move();
DROP FUNCTION payables_credits_move(uuid[], numeric[]);
DROP FUNCTION payables_bills_move(uuid[], numeric[]);

DROP TRIGGER payables_vendor_credit_posted_still_consistent ON payables_vendorcredit;
CREATE CONSTRAINT TRIGGER payables_vendor_credit_posted_still_consistent
    AFTER UPDATE ON payables_vendorcredit
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN ((to_jsonb(NEW) - ARRAY['remaining_amount', 'status', 'updated_at'])
          IS DISTINCT FROM (to_jsonb(OLD) - ARRAY['remaining_amount', 'status', 'updated_at']))
    EXECUTE FUNCTION payables_posted_deferred_check();

DROP TRIGGER payables_vendor_bill_posted_still_consistent ON payables_vendorbill;
CREATE CONSTRAINT TRIGGER payables_vendor_bill_posted_still_consistent
    AFTER UPDATE ON payables_vendorbill
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN ((to_jsonb(NEW) - ARRAY['balance_due', 'status', 'updated_at'])
          IS DISTINCT FROM (to_jsonb(OLD) - ARRAY['balance_due', 'status', 'updated_at']))
    EXECUTE FUNCTION payables_posted_deferred_check();

ALTER TABLE payables_vendorcredit DROP COLUMN spent_total;
ALTER TABLE payables_vendorbill DROP COLUMN applied_total;
