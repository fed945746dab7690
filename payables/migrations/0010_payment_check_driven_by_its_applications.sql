-- An AP payment's own check reads its applications by the payment's key (reversed by
-- 0010_payment_check_driven_by_its_applications_reverse.sql; as receivables 0014). It joined each application to
-- its bill (and each credit application to its credit); with `enable_seqscan = off` and statistics that called the
-- tables empty (an autovacuum's ANALYZE after rolled-back writes), the planner could start from the bills and read
-- every application of each through its bill index: a payment's check then read its bills' whole history
-- (tests/payables/test_running_totals.py caught it: 16 rows read by the first payment, 88 by the tenth). Now it
-- reads the payment's applications through its (payment, …) index and each bill or credit by its key. The same
-- refusals: a missing bill or credit counts as another vendor's (a foreign key refuses it anyway).

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
    SELECT coalesce(sum(a.amount_applied), 0),
           count(*) FILTER (WHERE (SELECT ROW(b.vendor_id, b.entity_id) FROM payables_vendorbill AS b
                                    WHERE b.id = a.bill_id)
                                  IS DISTINCT FROM ROW(payment.vendor_id, payment.entity_id))
      INTO applied, foreign_rows
      FROM payables_appaymentapplication AS a
     WHERE a.payment_id = checked_id;
    IF applied <> payment.total_applied OR foreign_rows > 0 THEN
        RAISE EXCEPTION 'AP payment %: applications total % for % applied, % of another vendor',
            checked_id, applied, payment.total_applied, foreign_rows
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ap_payment_applications_match';
    END IF;
    SELECT coalesce(sum(s.amount), 0),
           count(*) FILTER (WHERE (SELECT ROW(c.vendor_id, c.entity_id) FROM payables_vendorcredit AS c
                                    WHERE c.id = s.vendor_credit_id)
                                  IS DISTINCT FROM ROW(payment.vendor_id, payment.entity_id))
      INTO spent, foreign_rows
      FROM payables_vendorcreditapplication AS s
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
