-- Draft bills (reversed by 0005_bill_drafts_reference_reverse.sql; docs/payables.md, "Drafts"), the
-- same rules as receivables/migrations/0005_invoice_drafts_terms.sql: a draft (no number, no entry: the
-- CHECK vendor_bill_draft_unposted) may change and be deleted; a posted bill never becomes a draft again,
-- and no AP payment applies to a draft.

-- 0002's balance check: a draft is not numbered yet.
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

-- 0004's whole check: a draft is checked for its lines and references only.
CREATE OR REPLACE FUNCTION payables_posted_document_check(kind text, checked_id uuid) RETURNS void
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
                   ARRAY[journal_entry_id, void_journal_entry_id] AS entries, status = 'draft' AS draft
              INTO doc FROM payables_vendorbill WHERE id = checked_id;
        WHEN 'vendor_credit' THEN
            SELECT id, entity_id, vendor_id, credit_number AS number, NULL::numeric AS total, amount AS posted,
                   journal_entry_id, void_journal_entry_id, expiry_journal_entry_id, expired_amount,
                   ARRAY[journal_entry_id, void_journal_entry_id, expiry_journal_entry_id] AS entries,
                   false AS draft
              INTO doc FROM payables_vendorcredit WHERE id = checked_id;
        WHEN 'ap_payment' THEN
            SELECT id, entity_id, vendor_id, number, NULL::numeric AS total, total_applied AS posted,
                   journal_entry_id, void_journal_entry_id, NULL::uuid AS expiry_journal_entry_id,
                   ARRAY[journal_entry_id, void_journal_entry_id] AS entries, false AS draft
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
    IF doc.draft THEN
        RETURN;  -- a draft bill has no number or entry yet
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

-- A draft changes freely but stays with its entity; 0004's rules hold from its posting on.
CREATE OR REPLACE FUNCTION payables_vendor_bill_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.status = 'draft' THEN
        IF NEW.entity_id IS DISTINCT FROM OLD.entity_id THEN
            RAISE EXCEPTION 'vendor bill % belongs to entity % and cannot move to another', OLD.id, OLD.entity_id
                USING ERRCODE = 'restrict_violation', CONSTRAINT = 'vendor_bill_posted_fields_immutable';
        END IF;
        RETURN NEW;
    END IF;
    IF NEW.status = 'draft' THEN
        RAISE EXCEPTION 'vendor bill % is posted and cannot become a draft again', OLD.id
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'vendor_bill_posted_stays_posted';
    END IF;
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

-- A draft's lines may be replaced; a posted bill's never change.
CREATE FUNCTION payables_vendor_bill_line_change_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF (TG_OP = 'DELETE' OR NEW.bill_id = OLD.bill_id)
       AND EXISTS (SELECT 1 FROM payables_vendorbill AS b WHERE b.id = OLD.bill_id AND b.status = 'draft') THEN
        RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END IF;
    RAISE EXCEPTION '% row % is part of the payables history and cannot be % (void the document instead)',
        TG_TABLE_NAME, OLD.id, lower(TG_OP)
        USING ERRCODE = 'restrict_violation', CONSTRAINT = 'vendor_bill_line_append_only';
END
$$;

DROP TRIGGER payables_vendor_bill_line_immutable ON payables_vendorbillline;
CREATE TRIGGER payables_vendor_bill_line_immutable
    BEFORE UPDATE OR DELETE ON payables_vendorbillline
    FOR EACH ROW EXECUTE FUNCTION payables_vendor_bill_line_change_guard();

-- A draft's lines change after its insert: its total is checked against them at commit.
CREATE FUNCTION payables_vendor_bill_line_deferred_check() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    owner uuid := CASE WHEN TG_OP = 'DELETE' THEN OLD.bill_id ELSE NEW.bill_id END;
BEGIN
    IF EXISTS (SELECT 1 FROM payables_vendorbill AS b WHERE b.id = owner AND b.status = 'draft') THEN
        PERFORM payables_posted_document_check('vendor_bill', owner);
    END IF;
    RETURN NULL;
END
$$;

CREATE CONSTRAINT TRIGGER payables_vendor_bill_draft_lines_consistent
    AFTER INSERT OR UPDATE OR DELETE ON payables_vendorbillline
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payables_vendor_bill_line_deferred_check();

-- Only a draft may be deleted; a posted bill is kept (voided instead).
DROP TRIGGER payables_vendor_bill_kept ON payables_vendorbill;
CREATE TRIGGER payables_vendor_bill_kept
    BEFORE DELETE ON payables_vendorbill
    FOR EACH ROW WHEN (OLD.status <> 'draft')
    EXECUTE FUNCTION payables_refuse_change();

-- 0004's check of a payment's bill applications, and: never to a draft bill.
CREATE OR REPLACE FUNCTION payables_bill_applications_match() RETURNS trigger
LANGUAGE plpgsql AS $$
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
$$;
