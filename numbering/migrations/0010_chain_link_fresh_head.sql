-- The one-number issuing statement links its number through folio_chain_link() (reversed by
-- 0010_chain_link_fresh_head_reverse.sql; docs/audit.md, "Hash chains"; docs/benchmarks.md, "Hash chains").
-- Why a function: under READ COMMITTED a statement reads with the snapshot it started with. An issuer that
-- waited for the period's row lock started before the previous issuer committed, so in its own snapshot the
-- chain's head is stale: locking or updating it then re-checks the row (EvalPlanQual), which re-initialises
-- the plans of every CTE of the statement, inside the lock window every other issuer waits for. A VOLATILE
-- function's UPDATE runs with a snapshot of its own, taken when it is called (the period's row already
-- locked): it sees the head as the previous issuer committed it, and moves it without that re-check.
--
-- folio_chain_link() moves the head of `chain` by one link and returns the link: position + 1 and
-- hex(SHA-256(previous hash's bytes || UTF-8(field(record_type) field(position) fields))), the link of
-- 0008_chain_links_binary.sql. The UPDATE takes the head row's lock to the end of the transaction (the
-- chain's writers are ordered by it, 0009); if another transaction holds it, the UPDATE waits and links onto
-- the head that transaction committed. No head row: no row returned, nothing moved (the caller decides; the
-- issuing statement then writes no number and reports it). Under REPEATABLE READ a head moved since the
-- transaction's snapshot fails the UPDATE (serialization failure) rather than fork the chain.
CREATE FUNCTION folio_chain_link(chain text, record_type text, fields text)
RETURNS TABLE (link_position bigint, link_hash text)
LANGUAGE sql VOLATILE AS $$
    UPDATE numbering_chainhead AS c
       SET position = c.position + 1,
           hash = encode(sha256(decode(c.hash, 'hex') || convert_to(
               folio_chain_field(record_type) || folio_chain_field((c.position + 1)::text) || fields, 'UTF8')), 'hex')
     WHERE c.chain_id = chain
    RETURNING c.position, c.hash
$$;
