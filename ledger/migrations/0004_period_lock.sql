-- Closed periods (reversed by 0004_period_lock_reverse.sql; docs/posting.md, "Closed periods"): no
-- journal entry is dated on or before its entity's lock_date. Checked when the entry is inserted and
-- again when it is numbered: the number is taken last, under the entity's journal counter, so an entry
-- still being written when the lock date was set is judged by the lock date committed by then.
CREATE FUNCTION ledger_period_open_check() RETURNS trigger
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

CREATE TRIGGER ledger_journal_entry_period_open
    BEFORE INSERT OR UPDATE OF number ON erp_journalentry
    FOR EACH ROW EXECUTE FUNCTION ledger_period_open_check();
