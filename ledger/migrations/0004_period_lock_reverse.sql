DROP TRIGGER ledger_journal_entry_period_open ON erp_journalentry;
DROP FUNCTION ledger_period_open_check();
