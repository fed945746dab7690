-- Reverses 0010_payment_check_driven_by_its_applications.sql: 0009's check, joining bills and credits.

CREATE OR REPLACE FUNCTION payables_ap_payment_check(checked_id uuid)
 RETURNS void
 LANGUAGE plpgsql
 SET enable_seqscan TO 'off'
AS $function$
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
$function$;
