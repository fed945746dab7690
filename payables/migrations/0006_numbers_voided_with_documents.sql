-- A bill's, a credit's or an AP payment's number is voided only with its document
-- (numbering/migrations/0006_number_bound_to_document.sql).
CREATE TRIGGER payables_vendor_bill_number_voided_with_it
    BEFORE UPDATE ON numbering_issuednumber
    FOR EACH ROW
    WHEN (OLD.status = 'issued' AND NEW.status = 'voided' AND NEW.document_type = 'vendor_bill')
    EXECUTE FUNCTION numbering_number_voided_with_document('payables_vendorbill', 'status', 'void');

CREATE TRIGGER payables_vendor_credit_number_voided_with_it
    BEFORE UPDATE ON numbering_issuednumber
    FOR EACH ROW
    WHEN (OLD.status = 'issued' AND NEW.status = 'voided' AND NEW.document_type = 'vendor_credit')
    EXECUTE FUNCTION numbering_number_voided_with_document('payables_vendorcredit', 'status', 'voided');

CREATE TRIGGER payables_ap_payment_number_voided_with_it
    BEFORE UPDATE ON numbering_issuednumber
    FOR EACH ROW
    WHEN (OLD.status = 'issued' AND NEW.status = 'voided' AND NEW.document_type = 'ap_payment')
    EXECUTE FUNCTION numbering_number_voided_with_document('payables_appayment', 'status', 'void');
