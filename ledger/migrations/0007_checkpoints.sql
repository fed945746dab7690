-- A signed checkpoint is evidence: never changed, never deleted (reversed by 0007_checkpoints_reverse.sql).
CREATE FUNCTION ledger_checkpoint_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger checkpoint % is signed evidence: it cannot be changed or deleted', OLD.id
        USING ERRCODE = 'restrict_violation', CONSTRAINT = 'checkpoint_append_only';
END
$$;

CREATE TRIGGER ledger_checkpoint_append_only
    BEFORE UPDATE OR DELETE ON ledger_ledgercheckpoint
    FOR EACH ROW EXECUTE FUNCTION ledger_checkpoint_refuse_change();
