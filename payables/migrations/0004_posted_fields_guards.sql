-- Payables guards added to 0002 so both ledgers hold the same rules (docs/reliability.md lists them
-- with their tests); reversed by 0004_posted_fields_guards_reverse.sql.

-- At commit: a bill totals its lines; every document references only its own entity's vendor and
-- journal entries, carries the number issued to it, was posted by its own entry (for its total,
-- amount or total applied) and, if void, voided by that entry's reversal; an expired credit's
-- expiry entry is its write-off, and its write-offs add up to its expired amount.
CREATE FUNCTION payables_posted_document_check(kind text, checked_id uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    doc record;
    lines_total numeric;
    written_off numeric;
BEGIN
    CASE kind
        WHEN 'vendor_bill' THEN
            SELECT id, entity_id, vendor_id, number, total, total AS posted,
                   journal_entry_id, void_journal_entry_id, NULL::uuid AS expiry_journal_entry_id,
                   ARRAY[journal_entry_id, void_journal_entry_id] AS entries
              INTO doc FROM payables_vendorbill WHERE id = checked_id;
        WHEN 'vendor_credit' THEN
            SELECT id, entity_id, vendor_id, credit_number AS number, NULL::numeric AS total, amount AS posted,
                   journal_entry_id, void_journal_entry_id, expiry_journal_entry_id, expired_amount,
                   ARRAY[journal_entry_id, void_journal_entry_id, expiry_journal_entry_id] AS entries
              INTO doc FROM payables_vendorcredit WHERE id = checked_id;
        WHEN 'ap_payment' THEN
            SELECT id, entity_id, vendor_id, number, NULL::numeric AS total, total_applied AS posted,
                   journal_entry_id, void_journal_entry_id, NULL::uuid AS expiry_journal_entry_id,
                   ARRAY[journal_entry_id, void_journal_entry_id] AS entries
              INTO doc FROM payables_appayment WHERE id = checked_id;
    END CASE;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    IF kind = 'vendor_bill' THEN
        SELECT coalesce(sum(l.amount), 0) INTO lines_total FROM payables_vendorbillline AS l WHERE l.bill_id = checked_id;
        IF lines_total <> doc.total THEN
            RAISE EXCEPTION 'vendor bill %: total % is not the % its lines add up to', checked_id, doc.total, lines_total
                USING ERRCODE = 'check_violation', CONSTRAINT = 'vendor_bill_total_matches_lines';
        END IF;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM payables_vendor AS v WHERE v.id = doc.vendor_id AND v.entity_id = doc.entity_id)
       OR EXISTS (SELECT 1 FROM erp_journalentry AS e WHERE e.id = ANY (doc.entries) AND e.entity_id <> doc.entity_id) THEN
        RAISE EXCEPTION '% % references a vendor or journal entry of another entity', kind, checked_id
            USING ERRCODE = 'check_violation', CONSTRAINT = kind || '_references_own_entity';
    END IF;
    IF doc.number <> '' AND NOT EXISTS (
        SELECT 1 FROM numbering_issuednumber AS n
         WHERE n.entity_id = doc.entity_id AND n.document_type = kind
           AND n.document_id <> '' AND n.document_id = checked_id::text AND n.number = doc.number) THEN
        RAISE EXCEPTION '% %: number % was not issued to it', kind, checked_id, doc.number
            USING ERRCODE = 'check_violation', CONSTRAINT = kind || '_number_issued';
    END IF;
    IF NOT ledger_entry_posts(doc.journal_entry_id, kind, checked_id, doc.posted, NULL) THEN
        RAISE EXCEPTION '% %: journal entry % is not its posting for %', kind, checked_id, doc.journal_entry_id, doc.posted
            USING ERRCODE = 'check_violation', CONSTRAINT = kind || '_posted_by_its_entry';
    END IF;
    IF doc.void_journal_entry_id IS NOT NULL
       AND NOT ledger_entry_posts(doc.void_journal_entry_id, kind, checked_id, doc.posted, doc.journal_entry_id) THEN
        RAISE EXCEPTION '% %: void entry % is not the reversal of its entry %',
            kind, checked_id, doc.void_journal_entry_id, doc.journal_entry_id
            USING ERRCODE = 'check_violation', CONSTRAINT = kind || '_void_reverses_its_entry';
    END IF;
    IF doc.expiry_journal_entry_id IS NOT NULL THEN
        -- The expiry wrote the remainder off; a void of a payment that had spent from the expired
        -- credit writes what it gives back off the same way, in an entry of the same source.
        SELECT coalesce(sum(l.debit), 0) INTO written_off
          FROM erp_journalentry AS e JOIN erp_journalline AS l ON l.entry_id = e.id
         WHERE e.entity_id = doc.entity_id AND e.source_type = 'vendor_credit_expiry'
           AND e.source_id = checked_id::text AND e.reversal_of_id IS NULL;
        IF written_off <> doc.expired_amount OR NOT EXISTS (
            SELECT 1 FROM erp_journalentry AS e
             WHERE e.id = doc.expiry_journal_entry_id AND e.source_type = 'vendor_credit_expiry'
               AND e.source_id = checked_id::text AND e.reversal_of_id IS NULL) THEN
            RAISE EXCEPTION 'vendor credit %: expiry entry % is not its write-off, or its write-offs (%) are not the % expired',
                checked_id, doc.expiry_journal_entry_id, written_off, doc.expired_amount
                USING ERRCODE = 'check_violation', CONSTRAINT = 'vendor_credit_expiry_posted_by_its_entry';
        END IF;
    END IF;
END
$$;

-- Commit-time checks run in every payables write, just before its journal number
-- (ledger.documents.services.commit_checks_run; payables/models/checks.py names them), so each
-- event re-checks only what it can have changed. The full check of a document (above) therefore
-- runs on its INSERT and on the UPDATEs that change something besides the fields a payment or its
-- void moves: a bill's balance_due, status and updated_at; a credit's remaining_amount, status and
-- updated_at. Those moves are checked by 0002's balance checks, which fire on every UPDATE. Anything
-- else (a number, a void, an expiry, expired_amount, a column added later) gets the full check. A
-- status never changes alone into void, voided or expired: the 0001 CHECKs (*_void_recorded,
-- vendor_credit_status_matches_amounts) require the void or expiry fields, which are checked.
CREATE FUNCTION payables_posted_deferred_check() RETURNS trigger
LANGUAGE plpgsql AS $$
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
$$;

CREATE CONSTRAINT TRIGGER payables_vendor_bill_posted_consistent
    AFTER INSERT ON payables_vendorbill
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payables_posted_deferred_check();

CREATE CONSTRAINT TRIGGER payables_vendor_bill_posted_still_consistent
    AFTER UPDATE ON payables_vendorbill
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN ((to_jsonb(NEW) - ARRAY['balance_due', 'status', 'updated_at'])
          IS DISTINCT FROM (to_jsonb(OLD) - ARRAY['balance_due', 'status', 'updated_at']))
    EXECUTE FUNCTION payables_posted_deferred_check();

-- No deferred check per bill line: a line goes only into an unnumbered bill (the line guard
-- below), a bill commits only numbered (0002's vendor_bill_numbered) and its number, once written,
-- never changes (0002's payables_vendor_bill_number_once). So a bill with lines was inserted in
-- the same transaction, unnumbered, and numbered by an UPDATE of its number after its last line
-- went in; that UPDATE, like the INSERT, runs the full check above, lines total included (even
-- under SET CONSTRAINTS ... IMMEDIATE, it sees every line the bill will ever have). Lines are
-- never updated or deleted (0002's payables_vendor_bill_line_immutable).

CREATE CONSTRAINT TRIGGER payables_vendor_credit_posted_consistent
    AFTER INSERT ON payables_vendorcredit
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payables_posted_deferred_check();

CREATE CONSTRAINT TRIGGER payables_vendor_credit_posted_still_consistent
    AFTER UPDATE ON payables_vendorcredit
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW
    WHEN ((to_jsonb(NEW) - ARRAY['remaining_amount', 'status', 'updated_at'])
          IS DISTINCT FROM (to_jsonb(OLD) - ARRAY['remaining_amount', 'status', 'updated_at']))
    EXECUTE FUNCTION payables_posted_deferred_check();

-- A payment is updated only to be numbered or voided: every update gets the full check.
CREATE CONSTRAINT TRIGGER payables_ap_payment_posted_consistent
    AFTER INSERT OR UPDATE ON payables_appayment
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payables_posted_deferred_check();

-- Applications are written with their payment, each kind in one statement (the services' bulk
-- inserts): at its end a payment's bill applications are its whole total_applied and its credit
-- applications its whole credit_amount, and each one is a bill or credit of the payment's own vendor
-- and entity. Checked once per statement, at once, instead of 0002's deferred check per application
-- (which re-added all the payment's applications for each one: 51 whole-payment checks for a payment
-- of 50 bills and a credit). So no application can join a committed payment (its amounts never
-- change), and the applications of a new one are what its deferred checks re-read whole: 0002's
-- payables_ap_payment_check (the same sums and vendors) and the balances of its bills and credits
-- above, one statement each.
DROP TRIGGER payables_ap_payment_application_consistent ON payables_appaymentapplication;
DROP TRIGGER payables_vendor_credit_application_consistent ON payables_vendorcreditapplication;

CREATE FUNCTION payables_bill_applications_match() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM added AS a
                 JOIN payables_appayment AS p ON p.id = a.payment_id
                 JOIN payables_vendorbill AS b ON b.id = a.bill_id
                WHERE b.vendor_id <> p.vendor_id OR b.entity_id <> p.entity_id) THEN
        RAISE EXCEPTION 'an AP payment applies to a bill of another vendor or entity'
            USING ERRCODE = 'check_violation', CONSTRAINT = 'ap_payment_applications_match';
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
$$;

CREATE FUNCTION payables_credit_applications_match() RETURNS trigger
LANGUAGE plpgsql AS $$
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
$$;

CREATE TRIGGER payables_ap_payment_applications_matched
    AFTER INSERT ON payables_appaymentapplication
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION payables_bill_applications_match();

CREATE TRIGGER payables_vendor_credit_applications_matched
    AFTER INSERT ON payables_vendorcreditapplication
    REFERENCING NEW TABLE AS added
    FOR EACH STATEMENT EXECUTE FUNCTION payables_credit_applications_match();

-- At once: what was posted stays as posted (the vendor, entity, amounts, date and entry of a
-- document, and a credit's expires_at, which decides until when it can be spent), and a void (or a
-- credit's expiry) once recorded stays. Payments, voids and expiries
-- move only balances, statuses, updated_at and the void and expiry fields.
CREATE FUNCTION payables_vendor_bill_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.entity_id, NEW.vendor_id, NEW.total, NEW.bill_date, NEW.journal_entry_id)
       IS DISTINCT FROM (OLD.entity_id, OLD.vendor_id, OLD.total, OLD.bill_date, OLD.journal_entry_id) THEN
        RAISE EXCEPTION 'vendor bill % is posted: its entity, vendor, total, bill_date and journal entry are fixed',
            OLD.id USING ERRCODE = 'restrict_violation', CONSTRAINT = 'vendor_bill_posted_fields_immutable';
    END IF;
    IF OLD.status = 'void'
       AND (NEW.status, NEW.void_journal_entry_id, NEW.voided_at, NEW.voided_by, NEW.void_reason)
           IS DISTINCT FROM (OLD.status, OLD.void_journal_entry_id, OLD.voided_at, OLD.voided_by, OLD.void_reason) THEN
        RAISE EXCEPTION 'vendor bill % is void and stays void', OLD.id
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'vendor_bill_void_final';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER payables_vendor_bill_posted
    BEFORE UPDATE ON payables_vendorbill
    FOR EACH ROW EXECUTE FUNCTION payables_vendor_bill_guard();

CREATE FUNCTION payables_vendor_credit_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.entity_id, NEW.vendor_id, NEW.amount, NEW.source_type, NEW.source_id, NEW.journal_entry_id, NEW.created_at,
        NEW.expires_at)
       IS DISTINCT FROM
       (OLD.entity_id, OLD.vendor_id, OLD.amount, OLD.source_type, OLD.source_id, OLD.journal_entry_id, OLD.created_at,
        OLD.expires_at) THEN
        RAISE EXCEPTION 'vendor credit % is posted: its entity, vendor, amount, source, journal entry, date and expiry are fixed',
            OLD.id USING ERRCODE = 'restrict_violation', CONSTRAINT = 'vendor_credit_posted_fields_immutable';
    END IF;
    IF (OLD.status IN ('voided', 'expired') AND NEW.status IS DISTINCT FROM OLD.status)
       OR (OLD.status = 'voided'
           AND (NEW.void_journal_entry_id, NEW.voided_at, NEW.voided_by, NEW.void_reason)
               IS DISTINCT FROM (OLD.void_journal_entry_id, OLD.voided_at, OLD.voided_by, OLD.void_reason))
       OR (OLD.status = 'expired'
           AND (NEW.expiry_journal_entry_id, NEW.expired_at)
               IS DISTINCT FROM (OLD.expiry_journal_entry_id, OLD.expired_at)) THEN
        RAISE EXCEPTION 'vendor credit % is % and stays so', OLD.id, OLD.status
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'vendor_credit_void_final';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER payables_vendor_credit_posted
    BEFORE UPDATE ON payables_vendorcredit
    FOR EACH ROW EXECUTE FUNCTION payables_vendor_credit_guard();

CREATE FUNCTION payables_ap_payment_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (NEW.entity_id, NEW.vendor_id, NEW.amount, NEW.credit_amount, NEW.total_applied, NEW.payment_date,
        NEW.method, NEW.journal_entry_id)
       IS DISTINCT FROM
       (OLD.entity_id, OLD.vendor_id, OLD.amount, OLD.credit_amount, OLD.total_applied, OLD.payment_date,
        OLD.method, OLD.journal_entry_id) THEN
        RAISE EXCEPTION 'AP payment % is posted: its entity, vendor, amounts, payment_date, method and journal entry are fixed',
            OLD.id USING ERRCODE = 'restrict_violation', CONSTRAINT = 'ap_payment_posted_fields_immutable';
    END IF;
    IF OLD.status = 'void'
       AND (NEW.status, NEW.void_journal_entry_id, NEW.voided_at, NEW.voided_by, NEW.void_reason)
           IS DISTINCT FROM (OLD.status, OLD.void_journal_entry_id, OLD.voided_at, OLD.voided_by, OLD.void_reason) THEN
        RAISE EXCEPTION 'AP payment % is void and stays void', OLD.id
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'ap_payment_void_final';
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER payables_ap_payment_posted
    BEFORE UPDATE ON payables_appayment
    FOR EACH ROW EXECUTE FUNCTION payables_ap_payment_guard();

-- A vendor stays with its entity, so its bills, credits and payments keep referencing their own entity's rows.
CREATE FUNCTION payables_vendor_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'vendor % belongs to entity % and cannot move to another', OLD.id, OLD.entity_id
        USING ERRCODE = 'restrict_violation', CONSTRAINT = 'vendor_entity_immutable';
END
$$;

CREATE TRIGGER payables_vendor_entity_immutable
    BEFORE UPDATE ON payables_vendor
    FOR EACH ROW WHEN (NEW.entity_id IS DISTINCT FROM OLD.entity_id)
    EXECUTE FUNCTION payables_vendor_guard();

-- A line joins its bill before the bill is numbered (the services number a document last): a
-- numbered bill takes no further line. Checked after the row's own CHECKs.
CREATE FUNCTION payables_vendor_bill_line_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM payables_vendorbill AS b WHERE b.id = NEW.bill_id AND b.number <> '') THEN
        RAISE EXCEPTION 'vendor bill % is numbered: it takes no further line', NEW.bill_id
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'vendor_bill_lines_before_number';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER payables_vendor_bill_line_before_number
    AFTER INSERT ON payables_vendorbillline
    FOR EACH ROW EXECUTE FUNCTION payables_vendor_bill_line_guard();

-- TRUNCATE fires no row trigger. A TRUNCATE of any payables document or history table must leave
-- all of them and the ledger they were posted to empty, i.e. truncate them in the same statement,
-- as Django's test flush does; checked AFTER, once every table of the statement is truncated.
-- (The ledger's own tables are kept the same way by receivables/migrations/0003_database_guards.sql.)
CREATE FUNCTION payables_keep_history_on_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM payables_vendorbill) OR EXISTS (SELECT 1 FROM payables_vendorbillline)
       OR EXISTS (SELECT 1 FROM payables_vendorcredit) OR EXISTS (SELECT 1 FROM payables_appayment)
       OR EXISTS (SELECT 1 FROM payables_appaymentapplication)
       OR EXISTS (SELECT 1 FROM payables_vendorcreditapplication)
       OR EXISTS (SELECT 1 FROM erp_journalentry) THEN
        RAISE EXCEPTION '% is part of the payables history: it is truncated only with all of it and the ledger',
            TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'payables_history_kept';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER payables_vendor_bill_kept_on_truncate
    AFTER TRUNCATE ON payables_vendorbill
    FOR EACH STATEMENT EXECUTE FUNCTION payables_keep_history_on_truncate();

CREATE TRIGGER payables_vendor_bill_line_kept_on_truncate
    AFTER TRUNCATE ON payables_vendorbillline
    FOR EACH STATEMENT EXECUTE FUNCTION payables_keep_history_on_truncate();

CREATE TRIGGER payables_vendor_credit_kept_on_truncate
    AFTER TRUNCATE ON payables_vendorcredit
    FOR EACH STATEMENT EXECUTE FUNCTION payables_keep_history_on_truncate();

CREATE TRIGGER payables_ap_payment_kept_on_truncate
    AFTER TRUNCATE ON payables_appayment
    FOR EACH STATEMENT EXECUTE FUNCTION payables_keep_history_on_truncate();

CREATE TRIGGER payables_ap_payment_application_kept_on_truncate
    AFTER TRUNCATE ON payables_appaymentapplication
    FOR EACH STATEMENT EXECUTE FUNCTION payables_keep_history_on_truncate();

CREATE TRIGGER payables_vendor_credit_application_kept_on_truncate
    AFTER TRUNCATE ON payables_vendorcreditapplication
    FOR EACH STATEMENT EXECUTE FUNCTION payables_keep_history_on_truncate();
