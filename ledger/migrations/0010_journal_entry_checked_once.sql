-- A journal entry is checked once at commit (reversed by 0010_journal_entry_checked_once_reverse.sql). The
-- double-entry rule of erp/migrations/0003_ledger_guards.sql (erp_journal_entry_check: numbered, balanced, a
-- debit and a credit line, only its entity's accounts) was queued for the entry when it is inserted and again
-- for each of its lines: an entry of two lines was checked three times, at commit, while the entity's journal
-- counter is locked (its number is taken last). The check of the entry alone covers its lines:
-- - a line is never updated or deleted (erp_journal_line_immutable refuses both);
-- - a line joins only an unnumbered entry (ledger_journal_line_before_number, 0006), and no unnumbered entry
--   commits (journal_entry_numbered), so every line belongs to an entry inserted in its own transaction;
-- - every inserted entry is checked at commit (erp_journal_entry_complete), whatever the order of its
--   statements, with all its lines as they are then.
-- So the lines' own deferred check could refuse nothing the entry's does not: the same refusals, once.

DROP TRIGGER erp_journal_line_balanced ON erp_journalline;
