DROP TRIGGER IF EXISTS erp_journal_entry_immutable ON erp_journalentry;
DROP FUNCTION IF EXISTS erp_journal_entry_guard();
DROP TRIGGER IF EXISTS erp_journal_line_immutable ON erp_journalline;
DROP FUNCTION IF EXISTS erp_journal_line_refuse_change();
DROP TRIGGER IF EXISTS erp_journal_entry_complete ON erp_journalentry;
DROP TRIGGER IF EXISTS erp_journal_line_balanced ON erp_journalline;
DROP FUNCTION IF EXISTS erp_journal_entry_deferred_check();
DROP FUNCTION IF EXISTS erp_journal_line_deferred_check();
DROP FUNCTION IF EXISTS erp_journal_entry_check(uuid);
