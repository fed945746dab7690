-- A payment's own check reads its applications by the payment's key (reversed by
-- 0014_payment_check_driven_by_its_applications_reverse.sql; payables 0010 does the same). It joined each
-- application to its invoice, a shape the planner may serve from the invoices' side and read every application of
-- each; now it reads the payment's applications through its (payment, invoice) index and each invoice by its key,
-- with `enable_seqscan = off` as 0012's checks. The same refusals: a missing invoice counts as another customer's
-- (a foreign key refuses it anyway).

CREATE OR REPLACE FUNCTION receivables_payment_check(checked_id uuid)
 RETURNS void
 LANGUAGE plpgsql
 SET enable_seqscan TO 'off'
AS $function$
DECLARE
    payment receivables_payment%ROWTYPE;
    applied numeric;
    foreign_rows integer;
BEGIN
    SELECT * INTO payment FROM receivables_payment WHERE id = checked_id;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT coalesce(sum(a.amount_applied), 0),
           count(*) FILTER (WHERE (SELECT ROW(i.customer_id, i.entity_id) FROM receivables_invoice AS i
                                    WHERE i.id = a.invoice_id)
                                  IS DISTINCT FROM ROW(payment.customer_id, payment.entity_id))
      INTO applied, foreign_rows
      FROM receivables_paymentapplication AS a
     WHERE a.payment_id = checked_id;
    IF applied <> payment.amount OR foreign_rows > 0 THEN
        RAISE EXCEPTION 'payment %: applications total % for an amount of %, % to another customer''s invoices',
            checked_id, applied, payment.amount, foreign_rows
            USING ERRCODE = 'check_violation', CONSTRAINT = 'payment_applications_match';
    END IF;
    IF NOT EXISTS (SELECT 1 FROM receivables_customer AS c
                    WHERE c.id = payment.customer_id AND c.entity_id = payment.entity_id)
       OR EXISTS (SELECT 1 FROM erp_journalentry AS e
                   WHERE e.id IN (payment.journal_entry_id, payment.void_journal_entry_id)
                     AND e.entity_id <> payment.entity_id) THEN
        RAISE EXCEPTION 'payment % references a customer or journal entry of another entity', checked_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'payment_references_own_entity';
    END IF;
    IF NOT ledger_entry_posts(payment.journal_entry_id, 'payment', checked_id, payment.amount, NULL) THEN
        RAISE EXCEPTION 'payment %: journal entry % is not the posting of this payment for %',
            checked_id, payment.journal_entry_id, payment.amount
            USING ERRCODE = 'check_violation', CONSTRAINT = 'payment_posted_by_its_entry';
    END IF;
    IF payment.void_journal_entry_id IS NOT NULL
       AND NOT ledger_entry_posts(payment.void_journal_entry_id, 'payment', checked_id, payment.amount,
                                       payment.journal_entry_id) THEN
        RAISE EXCEPTION 'payment %: void entry % is not the reversal of its entry %',
            checked_id, payment.void_journal_entry_id, payment.journal_entry_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'payment_void_reverses_its_entry';
    END IF;
END
$function$;
