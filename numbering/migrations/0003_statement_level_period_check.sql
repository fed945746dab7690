-- The composite foreign key of 0002 checked each inserted row on its own: 10,000 lookups and row
-- locks of the same period for a 10,000-number block, ~40 % of the block's time. These triggers
-- keep the same guarantee, and one more, at one check per statement (reversed by
-- 0003_statement_level_period_check_reverse.sql):
--   * every issued number belongs to an existing period, and to that period's sequence and entity;
--   * its value lies between the period's start value and its counter (a number the counter
--     never passed cannot be in the ledger);
--   * a period that has issued numbers cannot be deleted, nor its id or entity changed (its
--     sequence, dates and start value are already fixed by numbering_period_monotonic), nor
--     truncated unless the ledger is truncated in the same statement (as a foreign key demands).
-- Errors carry SQLSTATE 23503 (foreign_key_violation) and name the old constraint.
ALTER TABLE numbering_issuednumber DROP CONSTRAINT issued_number_period_fk;

CREATE FUNCTION numbering_issued_number_period_check() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    inserted record;
    period record;
BEGIN
    FOR inserted IN
        SELECT period_id, sequence_id, entity_id, min(value) AS low, max(value) AS high
          FROM new_rows
         GROUP BY period_id, sequence_id, entity_id
    LOOP
        -- Locked as a foreign key's check locks it: the period can be neither deleted nor re-keyed
        -- until this transaction ends, so what is checked here stays true to commit. KEY SHARE
        -- conflicts with a change of entity_id only because the unique constraint
        -- numbering_period_unique_identity (id, sequence_id, entity_id) makes it a key column:
        -- that constraint must stay.
        SELECT start_value, last_value INTO period
          FROM numbering_numberingperiod
         WHERE id = inserted.period_id
           AND sequence_id = inserted.sequence_id
           AND entity_id = inserted.entity_id
           FOR KEY SHARE;
        IF NOT FOUND THEN
            RAISE EXCEPTION 'issued_number_period_fk: no numbering period % of sequence % and entity %',
                inserted.period_id, inserted.sequence_id, inserted.entity_id
                USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'issued_number_period_fk';
        END IF;
        IF inserted.low < period.start_value OR inserted.high > period.last_value THEN
            RAISE EXCEPTION 'issued_number_period_fk: values % to % are outside what period % has counted (% to %)',
                inserted.low, inserted.high, inserted.period_id, period.start_value, period.last_value
                USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'issued_number_period_fk';
        END IF;
    END LOOP;
    RETURN NULL;
END
$$;

CREATE TRIGGER numbering_issued_number_period_check
    AFTER INSERT ON numbering_issuednumber
    REFERENCING NEW TABLE AS new_rows
    FOR EACH STATEMENT
    EXECUTE FUNCTION numbering_issued_number_period_check();

CREATE FUNCTION numbering_period_keep_issued() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM numbering_issuednumber WHERE period_id = OLD.id) THEN
        RAISE EXCEPTION 'issued_number_period_fk: numbering period % has issued numbers; it cannot be deleted or re-keyed',
            OLD.id
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'issued_number_period_fk';
    END IF;
    RETURN CASE TG_OP WHEN 'DELETE' THEN OLD ELSE NEW END;
END
$$;

CREATE TRIGGER numbering_period_keep_issued_on_delete
    BEFORE DELETE ON numbering_numberingperiod
    FOR EACH ROW
    EXECUTE FUNCTION numbering_period_keep_issued();

-- The WHEN clause keeps the hot path (the counter's UPDATE) free of any function call.
CREATE TRIGGER numbering_period_keep_issued_on_rekey
    BEFORE UPDATE ON numbering_numberingperiod
    FOR EACH ROW
    WHEN (NEW.id <> OLD.id OR NEW.entity_id <> OLD.entity_id)
    EXECUTE FUNCTION numbering_period_keep_issued();

-- TRUNCATE fires no row trigger. After a TRUNCATE of the periods (alone, or by CASCADE from the
-- sequences) the ledger must be empty too, i.e. truncated in the same statement, as Django's test
-- flush does; checked AFTER, once every table of the statement is truncated.
CREATE FUNCTION numbering_period_keep_issued_on_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM numbering_issuednumber) THEN
        RAISE EXCEPTION 'issued_number_period_fk: numbering periods cannot be truncated while issued numbers refer to them'
            USING ERRCODE = 'foreign_key_violation', CONSTRAINT = 'issued_number_period_fk';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER numbering_period_keep_issued_on_truncate
    AFTER TRUNCATE ON numbering_numberingperiod
    FOR EACH STATEMENT
    EXECUTE FUNCTION numbering_period_keep_issued_on_truncate();
