-- Invariants the database keeps even against raw SQL (reversed by 0002_database_guards_reverse.sql).

-- An issued number belongs to a period, and to that period's sequence and entity: one composite key
-- (one check per inserted row) instead of three single-column foreign keys.
ALTER TABLE numbering_issuednumber
    ADD CONSTRAINT issued_number_period_fk
    FOREIGN KEY (period_id, sequence_id, entity_id)
    REFERENCES numbering_numberingperiod (id, sequence_id, entity_id)
    ON DELETE RESTRICT;

-- Alpha numbers rendered in SQL for the one-statement issue; mirrors numbering.rendering.value_text:
-- value 1 is 'a', 26 'z', 27 'ba' (an odometer whose zero digit is 'a'), padded with a's to width.
CREATE FUNCTION numbering_alpha_text(value bigint, width integer) RETURNS text
LANGUAGE plpgsql IMMUTABLE STRICT PARALLEL SAFE AS $$
DECLARE
    rest bigint := value - 1;
    letters text := '';
BEGIN
    IF value < 1 THEN
        RAISE EXCEPTION 'alpha values start at 1, got %', value USING ERRCODE = 'numeric_value_out_of_range';
    END IF;
    LOOP
        letters := chr(97 + (rest % 26)::integer) || letters;
        rest := rest / 26;
        EXIT WHEN rest = 0;
    END LOOP;
    IF length(letters) < width THEN
        letters := repeat('a', width - length(letters)) || letters;
    END IF;
    RETURN letters;
END
$$;

-- A period's counter only moves forward; what identifies the period never changes. The WHEN
-- clause keeps the hot path (last_value + 1) free of any function call.
CREATE FUNCTION numbering_period_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'numbering period %: the counter only grows (% -> % refused) and its sequence, dates and start value are fixed',
        OLD.id, OLD.last_value, NEW.last_value
        USING ERRCODE = 'check_violation';
END
$$;

CREATE TRIGGER numbering_period_monotonic
    BEFORE UPDATE ON numbering_numberingperiod
    FOR EACH ROW
    WHEN (NEW.last_value < OLD.last_value
          OR NEW.start_value <> OLD.start_value
          OR NEW.sequence_id <> OLD.sequence_id
          OR NEW.start <> OLD.start
          OR NEW."end" <> OLD."end")
    EXECUTE FUNCTION numbering_period_refuse_change();

-- The issuance ledger is append-only: never deleted; the only update is voiding an issued number.
CREATE FUNCTION numbering_issued_number_guard() RETURNS trigger
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

CREATE TRIGGER numbering_issued_number_append_only
    BEFORE UPDATE OR DELETE ON numbering_issuednumber
    FOR EACH ROW
    EXECUTE FUNCTION numbering_issued_number_guard();
