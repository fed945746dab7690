-- An AP payment's checks start from the rows they check, as a customer payment's do (receivables 0012; reversed
-- by 0008_checks_driven_by_their_own_rows_reverse.sql; docs/benchmarks.md, "HTTP: multi-invoice-apply"). The
-- applications' statement triggers asked "is there a payment among those inserted whose applications do not add
-- up" in a shape the planner may serve by scanning every payment and summing each; the payment's deferred check
-- read its bills and credits through `id IN (applications of the payment)`, which a plan made while the tables
-- were small serves by scanning every application. Now each reads the inserted rows' own payments, bills and
-- credits by key, the payment's applications by its (payment, …) index, and carries enable_seqscan = off so that
-- a plan made on a near-empty table cannot stay a scan. The same refusals.

CREATE OR REPLACE FUNCTION payables_bill_applications_match() RETURNS trigger
LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM added AS a
                WHERE (SELECT ROW(b.vendor_id, b.entity_id) FROM payables_vendorbill AS b WHERE b.id = a.bill_id)
                      <> (SELECT ROW(p.vendor_id, p.entity_id) FROM payables_appayment AS p WHERE p.id = a.payment_id)) THEN
        RAISE EXCEPTION 'an AP payment applies to a bill of another vendor or entity'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ap_payment_applications_match';
    END IF;
    IF EXISTS (SELECT 1 FROM added AS a
                WHERE (SELECT b.status FROM payables_vendorbill AS b WHERE b.id = a.bill_id) = 'draft') THEN
        RAISE EXCEPTION 'an AP payment applies to a draft bill'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ap_payment_applies_to_posted_bills';
    END IF;
    IF EXISTS (SELECT 1 FROM (SELECT DISTINCT a.payment_id FROM added AS a) AS n
                WHERE (SELECT p.total_applied FROM payables_appayment AS p WHERE p.id = n.payment_id)
                      <> (SELECT coalesce(sum(x.amount_applied), 0)
                            FROM payables_appaymentapplication AS x WHERE x.payment_id = n.payment_id)) THEN
        RAISE EXCEPTION 'an AP payment''s bill applications do not add up to its total applied'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ap_payment_applications_match';
    END IF;
    RETURN NULL;
END
$$;

CREATE OR REPLACE FUNCTION payables_credit_applications_match() RETURNS trigger
LANGUAGE plpgsql SET enable_seqscan = off AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM added AS s
                WHERE (SELECT ROW(c.vendor_id, c.entity_id) FROM payables_vendorcredit AS c WHERE c.id = s.vendor_credit_id)
                      <> (SELECT ROW(p.vendor_id, p.entity_id) FROM payables_appayment AS p WHERE p.id = s.payment_id)) THEN
        RAISE EXCEPTION 'an AP payment spends a credit of another vendor or entity'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ap_payment_credit_matches';
    END IF;
    IF EXISTS (SELECT 1 FROM (SELECT DISTINCT s.payment_id FROM added AS s) AS n
                WHERE (SELECT p.credit_amount FROM payables_appayment AS p WHERE p.id = n.payment_id)
                      <> (SELECT coalesce(sum(x.amount), 0)
                            FROM payables_vendorcreditapplication AS x WHERE x.payment_id = n.payment_id)) THEN
        RAISE EXCEPTION 'an AP payment''s credit applications do not add up to its credit amount'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ap_payment_credit_matches';
    END IF;
    RETURN NULL;
END
$$;

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
