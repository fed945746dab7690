-- Each chain's writers take its head row's lock instead of an advisory lock (reversed by
-- 0009_chain_head_row_lock_reverse.sql): the issuing statement then locks and reads the head in plain SQL
-- (SELECT … FOR UPDATE returns the latest committed head once the lock is granted) and moves it with an
-- UPDATE, without a PL/pgSQL call or an upsert in its lock window. So that the row is always there to be
-- locked, every sequence gets its head (position 0, no hash) when it is created.

CREATE OR REPLACE FUNCTION folio_chain_head(chain text, OUT head_position bigint, OUT head_hash text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    SELECT h.position, h.hash INTO head_position, head_hash
      FROM numbering_chainhead AS h WHERE h.chain_id = chain FOR UPDATE;
    IF NOT FOUND THEN  -- a chain's first record (a journal's): create its head, then take it
        INSERT INTO numbering_chainhead (chain_id, position, hash) VALUES (chain, 0, '') ON CONFLICT DO NOTHING;
        SELECT h.position, h.hash INTO head_position, head_hash
          FROM numbering_chainhead AS h WHERE h.chain_id = chain FOR UPDATE;
    END IF;
END
$$;

CREATE FUNCTION numbering_sequence_chain_head() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO numbering_chainhead (chain_id, position, hash) VALUES ('sequence:' || NEW.id, 0, '')
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END
$$;

CREATE TRIGGER numbering_sequence_chain_head
    AFTER INSERT ON numbering_sequence
    FOR EACH ROW EXECUTE FUNCTION numbering_sequence_chain_head();

INSERT INTO numbering_chainhead (chain_id, position, hash)
SELECT 'sequence:' || s.id, 0, '' FROM numbering_sequence AS s ON CONFLICT DO NOTHING;
