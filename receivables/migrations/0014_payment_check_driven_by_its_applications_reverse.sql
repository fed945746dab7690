-- Reverses 0014_payment_check_driven_by_its_applications.sql: 0003's check, joining invoices.

CREATE OR REPLACE FUNCTION receivables_payment_check(checked_id uuid)
 RETURNS void
 LANGUAGE plpgsql
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
    SELECT coalesce(sum(a.amount_applied), 0), count(*) FILTER (WHERE i.customer_id <> payment.customer_id
                                                                  OR i.entity_id <> payment.entity_id)
      INTO applied, foreign_rows
      FROM receivables_paymentapplication AS a JOIN receivables_invoice AS i ON i.id = a.invoice_id
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
