-- Payables invariants kept by the database, even against raw SQL (reversed by 0002_database_guards_reverse.sql).
-- Single-row rules are the named CHECKs of 0001; these are the cross-row ones, checked at commit.

-- A bill lost exactly what the applied (not void) payments applied to it, and was numbered.
CREATE FUNCTION payables_vendor_bill_check(checked_id uuid) RETURNS void
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
    IF bill.number = '' THEN
        RAISE EXCEPTION 'vendor bill % was not numbered before commit', checked_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'vendor_bill_numbered';
    END IF;
END
$$;

-- A credit's amount is what is left, what expired and what applied payments spent; a voided one
-- was never spent. And it was numbered.
CREATE FUNCTION payables_vendor_credit_check(checked_id uuid) RETURNS void
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

-- A payment applied what it says, spent the credit it says, touched only its own vendor's bills
-- and credits, and was numbered.
CREATE FUNCTION payables_ap_payment_check(checked_id uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    payment payables_appayment%ROWTYPE;
    applied numeric;
    spent numeric;
    foreign_rows integer;
BEGIN
    SELECT * INTO payment FROM payables_appayment WHERE id = checked_id;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT coalesce(sum(a.amount_applied), 0), count(*) FILTER (WHERE b.vendor_id <> payment.vendor_id
                                                                  OR b.entity_id <> payment.entity_id)
      INTO applied, foreign_rows
      FROM payables_appaymentapplication AS a JOIN payables_vendorbill AS b ON b.id = a.bill_id
     WHERE a.payment_id = checked_id;
    IF applied <> payment.total_applied OR foreign_rows > 0 THEN
        RAISE EXCEPTION 'AP payment %: applications total % for % applied, % of another vendor',
            checked_id, applied, payment.total_applied, foreign_rows
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ap_payment_applications_match';
    END IF;
    SELECT coalesce(sum(s.amount), 0), count(*) FILTER (WHERE c.vendor_id <> payment.vendor_id
                                                         OR c.entity_id <> payment.entity_id)
      INTO spent, foreign_rows
      FROM payables_vendorcreditapplication AS s JOIN payables_vendorcredit AS c ON c.id = s.vendor_credit_id
     WHERE s.payment_id = checked_id;
    IF spent <> payment.credit_amount OR foreign_rows > 0 THEN
        RAISE EXCEPTION 'AP payment %: credit spent % for credit_amount %, % of another vendor',
            checked_id, spent, payment.credit_amount, foreign_rows
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ap_payment_credit_matches';
    END IF;
    IF payment.number = '' THEN
        RAISE EXCEPTION 'AP payment % was not numbered before commit', checked_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ap_payment_numbered';
    END IF;
END
$$;

CREATE FUNCTION payables_document_deferred_check() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    CASE TG_TABLE_NAME
        WHEN 'payables_vendorbill' THEN
            PERFORM payables_vendor_bill_check(NEW.id);
        WHEN 'payables_vendorcredit' THEN
            PERFORM payables_vendor_credit_check(NEW.id);
        WHEN 'payables_appayment' THEN
            PERFORM payables_ap_payment_check(NEW.id);
        WHEN 'payables_appaymentapplication' THEN
            PERFORM payables_vendor_bill_check(NEW.bill_id);
            PERFORM payables_ap_payment_check(NEW.payment_id);
        WHEN 'payables_vendorcreditapplication' THEN
            PERFORM payables_vendor_credit_check(NEW.vendor_credit_id);
            PERFORM payables_ap_payment_check(NEW.payment_id);
    END CASE;
    RETURN NULL;
END
$$;

-- Deferred to commit (as django-hordak does): a service inserts the document, its rows and
-- postings, then takes its number; only the finished transaction is checked.
CREATE CONSTRAINT TRIGGER payables_vendor_bill_consistent
    AFTER INSERT OR UPDATE ON payables_vendorbill
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payables_document_deferred_check();

CREATE CONSTRAINT TRIGGER payables_vendor_credit_consistent
    AFTER INSERT OR UPDATE ON payables_vendorcredit
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payables_document_deferred_check();

CREATE CONSTRAINT TRIGGER payables_ap_payment_consistent
    AFTER INSERT OR UPDATE ON payables_appayment
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payables_document_deferred_check();

CREATE CONSTRAINT TRIGGER payables_ap_payment_application_consistent
    AFTER INSERT ON payables_appaymentapplication
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payables_document_deferred_check();

CREATE CONSTRAINT TRIGGER payables_vendor_credit_application_consistent
    AFTER INSERT ON payables_vendorcreditapplication
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payables_document_deferred_check();

-- History is append-only: lines and applications never change, documents are never deleted
-- (a void keeps them), and a number, once written, is never rewritten.
CREATE FUNCTION payables_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION '% row % is part of the payables history and cannot be % (void the document instead)',
        TG_TABLE_NAME, OLD.id, lower(TG_OP)
        USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER payables_vendor_bill_line_immutable
    BEFORE UPDATE OR DELETE ON payables_vendorbillline
    FOR EACH ROW EXECUTE FUNCTION payables_refuse_change();

CREATE TRIGGER payables_ap_payment_application_immutable
    BEFORE UPDATE OR DELETE ON payables_appaymentapplication
    FOR EACH ROW EXECUTE FUNCTION payables_refuse_change();

CREATE TRIGGER payables_vendor_credit_application_immutable
    BEFORE UPDATE OR DELETE ON payables_vendorcreditapplication
    FOR EACH ROW EXECUTE FUNCTION payables_refuse_change();

CREATE TRIGGER payables_vendor_bill_kept
    BEFORE DELETE ON payables_vendorbill
    FOR EACH ROW EXECUTE FUNCTION payables_refuse_change();

CREATE TRIGGER payables_vendor_credit_kept
    BEFORE DELETE ON payables_vendorcredit
    FOR EACH ROW EXECUTE FUNCTION payables_refuse_change();

CREATE TRIGGER payables_ap_payment_kept
    BEFORE DELETE ON payables_appayment
    FOR EACH ROW EXECUTE FUNCTION payables_refuse_change();

CREATE TRIGGER payables_vendor_bill_number_once
    BEFORE UPDATE ON payables_vendorbill
    FOR EACH ROW WHEN (OLD.number <> '' AND NEW.number IS DISTINCT FROM OLD.number)
    EXECUTE FUNCTION payables_refuse_change();

CREATE TRIGGER payables_vendor_credit_number_once
    BEFORE UPDATE ON payables_vendorcredit
    FOR EACH ROW WHEN (OLD.credit_number <> '' AND NEW.credit_number IS DISTINCT FROM OLD.credit_number)
    EXECUTE FUNCTION payables_refuse_change();

CREATE TRIGGER payables_ap_payment_number_once
    BEFORE UPDATE ON payables_appayment
    FOR EACH ROW WHEN (OLD.number <> '' AND NEW.number IS DISTINCT FROM OLD.number)
    EXECUTE FUNCTION payables_refuse_change();
