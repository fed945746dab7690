-- Reverses 0008_checks_driven_by_their_own_rows.sql: the checks as 0004 and 0005 left them (a CREATE OR REPLACE
-- without a SET clause drops the functions' enable_seqscan setting).

CREATE OR REPLACE FUNCTION payables_bill_applications_match()
 RETURNS trigger
 LANGUAGE plpgsql
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM added AS a
                 JOIN payables_appayment AS p ON p.id = a.payment_id
                 JOIN payables_vendorbill AS b ON b.id = a.bill_id
                WHERE b.vendor_id <> p.vendor_id OR b.entity_id <> p.entity_id) THEN
        RAISE EXCEPTION 'an AP payment applies to a bill of another vendor or entity'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ap_payment_applications_match';
    END IF;
    IF EXISTS (SELECT 1 FROM added AS a JOIN payables_vendorbill AS b ON b.id = a.bill_id
                WHERE b.status = 'draft') THEN
        RAISE EXCEPTION 'an AP payment applies to a draft bill'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ap_payment_applies_to_posted_bills';
    END IF;
    IF EXISTS (SELECT 1 FROM payables_appayment AS p
                WHERE p.id IN (SELECT payment_id FROM added)
                  AND p.total_applied <> (SELECT coalesce(sum(x.amount_applied), 0)
                                            FROM payables_appaymentapplication AS x WHERE x.payment_id = p.id)) THEN
        RAISE EXCEPTION 'an AP payment''s bill applications do not add up to its total applied'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ap_payment_applications_match';
    END IF;
    RETURN NULL;
END
$$

;

CREATE OR REPLACE FUNCTION payables_credit_applications_match()
 RETURNS trigger
 LANGUAGE plpgsql
AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM added AS s
                 JOIN payables_appayment AS p ON p.id = s.payment_id
                 JOIN payables_vendorcredit AS c ON c.id = s.vendor_credit_id
                WHERE c.vendor_id <> p.vendor_id OR c.entity_id <> p.entity_id) THEN
        RAISE EXCEPTION 'an AP payment spends a credit of another vendor or entity'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ap_payment_credit_matches';
    END IF;
    IF EXISTS (SELECT 1 FROM payables_appayment AS p
                WHERE p.id IN (SELECT payment_id FROM added)
                  AND p.credit_amount <> (SELECT coalesce(sum(x.amount), 0)
                                            FROM payables_vendorcreditapplication AS x WHERE x.payment_id = p.id)) THEN
        RAISE EXCEPTION 'an AP payment''s credit applications do not add up to its credit amount'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ap_payment_credit_matches';
    END IF;
    RETURN NULL;
END
$$

;

CREATE OR REPLACE FUNCTION payables_posted_deferred_check()
 RETURNS trigger
 LANGUAGE plpgsql
AS $$
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
                IF EXISTS (SELECT 1 FROM payables_vendorbill AS b
                            WHERE b.id IN (SELECT a.bill_id FROM payables_appaymentapplication AS a
                                            WHERE a.payment_id = NEW.id)
                              AND CASE WHEN b.status = 'void' THEN 0 ELSE b.total - b.balance_due END
                                  <> (SELECT coalesce(sum(a.amount_applied), 0)
                                        FROM payables_appaymentapplication AS a
                                        JOIN payables_appayment AS p ON p.id = a.payment_id
                                       WHERE a.bill_id = b.id AND p.status = 'applied')) THEN
                    RAISE EXCEPTION 'AP payment %: a bill''s balance does not match what is applied to it', NEW.id
                        USING ERRCODE = 'check_violation', CONSTRAINT = 'vendor_bill_balance_matches_applications';
                END IF;
                IF EXISTS (SELECT 1 FROM payables_vendorcredit AS c
                            WHERE c.id IN (SELECT s.vendor_credit_id FROM payables_vendorcreditapplication AS s
                                            WHERE s.payment_id = NEW.id)
                              AND CASE WHEN c.status = 'voided' THEN 0
                                       ELSE c.amount - c.remaining_amount - c.expired_amount END
                                  <> (SELECT coalesce(sum(s.amount), 0)
                                        FROM payables_vendorcreditapplication AS s
                                        JOIN payables_appayment AS p ON p.id = s.payment_id
                                       WHERE s.vendor_credit_id = c.id AND p.status = 'applied')) THEN
                    RAISE EXCEPTION 'AP payment %: a vendor credit''s remainder does not match what is spent from it', NEW.id
                        USING ERRCODE = 'check_violation', CONSTRAINT = 'vendor_credit_remaining_matches_applications';
                END IF;
            END IF;
            PERFORM payables_posted_document_check('ap_payment', NEW.id);
    END CASE;
    RETURN NULL;
END
$$

;

