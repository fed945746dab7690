-- The journal kept whole against TRUNCATE, which fires no row trigger (reversed by
-- 0002_keep_journal_on_truncate_reverse.sql). The row guards of erp/migrations/0003_ledger_guards.sql make
-- entries and lines immutable; this makes them truncated together or not at all, as Django's test flush does.

CREATE FUNCTION ledger_keep_journal_on_truncate() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF EXISTS (SELECT 1 FROM erp_journalentry) OR EXISTS (SELECT 1 FROM erp_journalline) THEN
        RAISE EXCEPTION '% is part of the ledger: it is truncated only with all of it', TG_TABLE_NAME
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'ledger_history_kept';
    END IF;
    RETURN NULL;
END
$$;

CREATE TRIGGER ledger_journal_entry_kept_on_truncate
    AFTER TRUNCATE ON erp_journalentry
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_keep_journal_on_truncate();

CREATE TRIGGER ledger_journal_line_kept_on_truncate
    AFTER TRUNCATE ON erp_journalline
    FOR EACH STATEMENT EXECUTE FUNCTION ledger_keep_journal_on_truncate();
