-- Back to the guard of 0002, without unique_in_period.
CREATE OR REPLACE FUNCTION numbering_issued_number_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'issued number % cannot be deleted; void it instead', OLD.number
            USING ERRCODE = 'restrict_violation';
    END IF;
    IF OLD.status <> 'issued' OR NEW.status <> 'voided'
       OR (NEW.id, NEW.entity_id, NEW.sequence_id, NEW.period_id, NEW.value, NEW.number,
           NEW.document_type, NEW.document_id, NEW.reference, NEW.issued_at, NEW.issued_by)
          IS DISTINCT FROM
          (OLD.id, OLD.entity_id, OLD.sequence_id, OLD.period_id, OLD.value, OLD.number,
           OLD.document_type, OLD.document_id, OLD.reference, OLD.issued_at, OLD.issued_by)
    THEN
        RAISE EXCEPTION 'issued number %: the only change allowed is voiding it (status issued -> voided with reason, time and actor)', OLD.number
            USING ERRCODE = 'restrict_violation';
    END IF;
    RETURN NEW;
END
$$;

