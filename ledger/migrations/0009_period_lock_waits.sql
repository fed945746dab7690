-- Closed periods, without a race (reversed by 0009_period_lock_waits_reverse.sql): 0004's check read the
-- committed lock date and moved on, so a posting checked before a lock date committed could itself commit
-- after it, into the period just closed. The check now holds a KEY SHARE lock on the entity row to its
-- commit: erp/services/lock_date.py takes that row FOR UPDATE, so setting the lock date waits for the
-- postings under way, and a posting checked while it is being set waits and then reads the new date.
CREATE OR REPLACE FUNCTION ledger_period_open_check() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    locked_through date;
BEGIN
    SELECT lock_date INTO locked_through FROM erp_entity WHERE id = NEW.entity_id FOR KEY SHARE;
    IF locked_through IS NOT NULL AND NEW.date <= locked_through THEN
        RAISE EXCEPTION 'journal entry % is dated %, in a period closed through %', NEW.id, NEW.date, locked_through
            USING ERRCODE = 'check_violation', CONSTRAINT = 'period_locked';
    END IF;
    RETURN NEW;
END
$$;
