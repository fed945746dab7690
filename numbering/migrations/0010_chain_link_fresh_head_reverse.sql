-- The one-number statement of before links through the statement's own UPDATE of the head again.
DROP FUNCTION folio_chain_link(text, text, text);
