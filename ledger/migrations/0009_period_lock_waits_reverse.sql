-- 0004's check, reading the committed lock date without a lock.
CREATE OR REPLACE FUNCTION ledger_period_open_check() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    locked_through date;
BEGIN
    SELECT lock_date INTO locked_through FROM erp_entity WHERE id = NEW.entity_id;
    IF locked_through IS NOT NULL AND NEW.date <= locked_through THEN
        RAISE EXCEPTION 'journal entry % is dated %, in a period closed through %', NEW.id, NEW.date, locked_through
            USING ERRCODE = 'check_violation', CONSTRAINT = 'period_locked';
    END IF;
    RETURN NEW;
END
$$;
