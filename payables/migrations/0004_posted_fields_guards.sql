-- Payables guards added to 0002 so both ledgers hold the same rules (docs/reliability.md lists them
-- with their tests); reversed by 0004_posted_fields_guards_reverse.sql.

-- At commit: a bill totals its lines; every document references only its own entity's vendor and
-- journal entries and carries the number issued to it.
CREATE FUNCTION payables_posted_document_check(kind text, checked_id uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    doc record;
    lines_total numeric;
BEGIN
    CASE kind
        WHEN 'vendor_bill' THEN
            SELECT id, entity_id, vendor_id, number, total,
                   ARRAY[journal_entry_id, void_journal_entry_id] AS entries
              INTO doc FROM payables_vendorbill WHERE id = checked_id;
        WHEN 'vendor_credit' THEN
            SELECT id, entity_id, vendor_id, credit_number AS number, NULL::numeric AS total,
                   ARRAY[journal_entry_id, void_journal_entry_id, expiry_journal_entry_id] AS entries
              INTO doc FROM payables_vendorcredit WHERE id = checked_id;
        WHEN 'ap_payment' THEN
            SELECT id, entity_id, vendor_id, number, NULL::numeric AS total,
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
END
$$;

CREATE FUNCTION payables_posted_deferred_check() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    CASE TG_TABLE_NAME
        WHEN 'payables_vendorbill' THEN
            PERFORM payables_posted_document_check('vendor_bill', NEW.id);
        WHEN 'payables_vendorbillline' THEN
            PERFORM payables_posted_document_check('vendor_bill', NEW.bill_id);
        WHEN 'payables_vendorcredit' THEN
            PERFORM payables_posted_document_check('vendor_credit', NEW.id);
        WHEN 'payables_appayment' THEN
            PERFORM payables_posted_document_check('ap_payment', NEW.id);
            -- A payment voided (or un-voided) changes what its bills and credits may have lost.
            IF TG_OP = 'UPDATE' THEN
                PERFORM payables_vendor_bill_check(a.bill_id)
                   FROM payables_appaymentapplication AS a WHERE a.payment_id = NEW.id;
                PERFORM payables_vendor_credit_check(s.vendor_credit_id)
                   FROM payables_vendorcreditapplication AS s WHERE s.payment_id = NEW.id;
            END IF;
    END CASE;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER payables_vendor_bill_posted_consistent
    AFTER INSERT OR UPDATE ON payables_vendorbill
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payables_posted_deferred_check();

CREATE CONSTRAINT TRIGGER payables_vendor_bill_line_consistent
    AFTER INSERT ON payables_vendorbillline
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payables_posted_deferred_check();

CREATE CONSTRAINT TRIGGER payables_vendor_credit_posted_consistent
    AFTER INSERT OR UPDATE ON payables_vendorcredit
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payables_posted_deferred_check();

CREATE CONSTRAINT TRIGGER payables_ap_payment_posted_consistent
    AFTER INSERT OR UPDATE ON payables_appayment
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payables_posted_deferred_check();

-- At once: what was posted stays as posted (the vendor, entity, amounts, date and entry of a
-- document), and a void (or a credit's expiry) once recorded stays. Payments, voids and expiries
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
    IF (NEW.entity_id, NEW.vendor_id, NEW.amount, NEW.source_type, NEW.source_id, NEW.journal_entry_id, NEW.created_at)
       IS DISTINCT FROM
       (OLD.entity_id, OLD.vendor_id, OLD.amount, OLD.source_type, OLD.source_id, OLD.journal_entry_id, OLD.created_at) THEN
        RAISE EXCEPTION 'vendor credit % is posted: its entity, vendor, amount, source, journal entry and date are fixed',
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
