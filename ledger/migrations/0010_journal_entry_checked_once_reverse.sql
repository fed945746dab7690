-- Back to erp/migrations/0003_ledger_guards.sql's check of the entry for each of its lines.

CREATE CONSTRAINT TRIGGER erp_journal_line_balanced
    AFTER INSERT OR UPDATE OR DELETE ON erp_journalline
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION erp_journal_line_deferred_check();
