DROP TRIGGER ledger_journal_line_before_number ON erp_journalline;
DROP FUNCTION ledger_journal_line_before_number();
DROP TRIGGER ledger_journal_entry_chained ON erp_journalentry;
DROP FUNCTION ledger_journal_entry_link();
DROP FUNCTION ledger_journal_entry_chain_fields(erp_journalentry);
