-- The question both ledgers' guards ask of a document's journal entries (reversed by
-- 0003_entry_posts_reverse.sql): is `posting` the entry that posted the document `document` of `kind` for
-- `amount` (as the services write it: source_type the kind, source_id the document's id, debits adding up
-- to its amount), or, given `reverses`, the reversal of that entry (which keeps its source)?
CREATE FUNCTION ledger_entry_posts(posting uuid, kind text, document uuid, amount numeric, reverses uuid)
RETURNS boolean
LANGUAGE sql STABLE AS $$
    SELECT EXISTS (
        SELECT 1 FROM erp_journalentry AS e
         WHERE e.id = posting AND e.source_type = kind AND e.source_id = document::text
           AND e.reversal_of_id IS NOT DISTINCT FROM reverses
           AND (SELECT coalesce(sum(l.debit), 0) FROM erp_journalline AS l WHERE l.entry_id = e.id) = amount)
$$;
