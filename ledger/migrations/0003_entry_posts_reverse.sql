DROP FUNCTION ledger_entry_posts(uuid, text, uuid, numeric, uuid);
