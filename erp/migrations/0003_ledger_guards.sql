-- Double entry kept by the database, even against raw SQL (reversed by 0003_ledger_guards_reverse.sql).

-- The commit-time rule for one entry: numbered, at least one debit and one credit line, debits equal
-- to credits, and only accounts of the entry's own entity.
CREATE FUNCTION erp_journal_entry_check(checked_id uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    entry_number text;
    entry_entity uuid;
    debits numeric;
    credits numeric;
    debit_lines integer;
    credit_lines integer;
    foreign_lines integer;
BEGIN
    SELECT e.number, e.entity_id INTO entry_number, entry_entity
      FROM erp_journalentry AS e WHERE e.id = checked_id;
    IF NOT FOUND THEN
        RETURN;
    END IF;
    SELECT coalesce(sum(l.debit), 0), coalesce(sum(l.credit), 0),
           count(*) FILTER (WHERE l.debit > 0), count(*) FILTER (WHERE l.credit > 0),
           count(*) FILTER (WHERE a.entity_id <> entry_entity)
      INTO debits, credits, debit_lines, credit_lines, foreign_lines
      FROM erp_journalline AS l JOIN erp_account AS a ON a.id = l.account_id
     WHERE l.entry_id = checked_id;
    IF debits <> credits THEN
        RAISE EXCEPTION 'journal entry % is unbalanced: debits % <> credits %', checked_id, debits, credits
            USING ERRCODE = 'check_violation', CONSTRAINT = 'journal_entry_balanced';
    END IF;
    IF debit_lines = 0 OR credit_lines = 0 THEN
        RAISE EXCEPTION 'journal entry % needs at least one debit and one credit line', checked_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'journal_entry_balanced';
    END IF;
    IF foreign_lines > 0 THEN
        RAISE EXCEPTION 'journal entry % posts to accounts of another entity', checked_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'journal_entry_own_accounts';
    END IF;
    IF entry_number = '' THEN
        RAISE EXCEPTION 'journal entry % was not numbered before commit', checked_id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'journal_entry_numbered';
    END IF;
END
$$;

CREATE FUNCTION erp_journal_line_deferred_check() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        PERFORM erp_journal_entry_check(OLD.entry_id);
    ELSE
        PERFORM erp_journal_entry_check(NEW.entry_id);
    END IF;
    RETURN NULL;
END
$$;

CREATE FUNCTION erp_journal_entry_deferred_check() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    PERFORM erp_journal_entry_check(NEW.id);
    RETURN NULL;
END
$$;

-- Deferred to commit (as django-hordak does): a service inserts the entry, then its lines, then takes
-- its number; only the finished entry is checked. The entry-level trigger also catches an entry
-- committed with no lines at all.
CREATE CONSTRAINT TRIGGER erp_journal_line_balanced
    AFTER INSERT OR UPDATE OR DELETE ON erp_journalline
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION erp_journal_line_deferred_check();

CREATE CONSTRAINT TRIGGER erp_journal_entry_complete
    AFTER INSERT ON erp_journalentry
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION erp_journal_entry_deferred_check();

-- Posted means immutable: lines never change, entries are never deleted, and the only update an
-- entry ever takes is writing its number once, right after the number was issued.
CREATE FUNCTION erp_journal_line_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'journal line % is posted and cannot be changed or deleted; post a reversing entry',
        OLD.id USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER erp_journal_line_immutable
    BEFORE UPDATE OR DELETE ON erp_journalline
    FOR EACH ROW EXECUTE FUNCTION erp_journal_line_refuse_change();

CREATE FUNCTION erp_journal_entry_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.number = '' AND NEW.number <> ''
       AND to_jsonb(NEW) - 'number' = to_jsonb(OLD) - 'number' THEN
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'journal entry % is posted and cannot be changed or deleted; post a reversing entry',
        OLD.id USING ERRCODE = 'restrict_violation';
END
$$;

CREATE TRIGGER erp_journal_entry_immutable
    BEFORE UPDATE OR DELETE ON erp_journalentry
    FOR EACH ROW EXECUTE FUNCTION erp_journal_entry_guard();
