-- An invoice's number is voided only with the invoice (numbering/migrations/0006_number_bound_to_document.sql).
CREATE TRIGGER receivables_invoice_number_voided_with_it
    BEFORE UPDATE ON numbering_issuednumber
    FOR EACH ROW
    WHEN (OLD.status = 'issued' AND NEW.status = 'voided' AND NEW.document_type = 'invoice')
    EXECUTE FUNCTION numbering_number_voided_with_document('receivables_invoice', 'status', 'void');
