-- A number bound to a document is voided only once its document is void (reversed by
-- 0006_number_bound_to_document_reverse.sql; docs/activity.md, "Numbers agree with documents").
-- Numbering knows no document: each app that numbers documents attaches this function to
-- numbering_issuednumber for its document_type, naming its table, its status column and the statuses
-- that mean void (none: the document is never voided, e.g. a journal entry):
--   CREATE TRIGGER … BEFORE UPDATE ON numbering_issuednumber FOR EACH ROW
--     WHEN (OLD.status = 'issued' AND NEW.status = 'voided' AND NEW.document_type = 'invoice')
--     EXECUTE FUNCTION numbering_number_voided_with_document('receivables_invoice', 'status', 'void');
CREATE FUNCTION numbering_number_voided_with_document() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    document_status text;
BEGIN
    IF NEW.document_id = '' THEN
        RETURN NEW;
    END IF;
    IF TG_NARGS >= 2 THEN
        EXECUTE format('SELECT %I::text FROM %I WHERE id = $1::uuid', TG_ARGV[1], TG_ARGV[0])
           INTO document_status USING NEW.document_id;
        IF document_status = ANY (TG_ARGV[2:]) THEN
            RETURN NEW;
        END IF;
    END IF;
    RAISE EXCEPTION 'issued number % is the number of % %: it is voided only by voiding the document',
        OLD.number, NEW.document_type, NEW.document_id
        USING ERRCODE = 'restrict_violation', CONSTRAINT = 'number_bound_to_document';
END
$$;
