-- Hash chains (reversed by 0007_chains_reverse.sql; docs/audit.md, "Hash chains"). Every record of a chain
-- carries chain_hash = hex(SHA-256(UTF-8(previous chain_hash || canonical text))), the first record's previous
-- hash being ''. The canonical text is the record's fields in a fixed order, each as <byte length>:<text>,
-- (SQL NULL as ~,), starting with the record type and its position in the chain. Chains: "sequence:<id>"
-- (issued numbers, voids and counter events of one sequence) and "journal:<entity id>" (ledger's migration
-- 0006). The issuing statement links its numbers itself (numbering/services/issuing.py); every other write
-- is linked by the triggers below, in the statement that writes it.

-- One field of a canonical text.
CREATE FUNCTION folio_chain_field(value text) RETURNS text
LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
    SELECT CASE WHEN value IS NULL THEN '~,' ELSE octet_length(value) || ':' || value || ',' END
$$;

-- A timestamp as the canonical text writes it: UTC, microseconds, ISO 8601.
CREATE FUNCTION folio_chain_time(at timestamptz) RETURNS text
LANGUAGE sql STABLE PARALLEL SAFE AS $$
    SELECT to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"')
$$;

-- The head of `chain` with the chain taken: the transaction holds the chain's lock until it ends, so two
-- writers of one chain link one after the other, never onto the same head. The head is read after the
-- lock with a fresh snapshot (a VOLATILE function under READ COMMITTED); a transaction whose snapshot is
-- fixed (REPEATABLE READ, SERIALIZABLE) could read a stale head and fork the chain, so it is refused.
CREATE FUNCTION folio_chain_head(chain text, OUT head_position bigint, OUT head_hash text)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF current_setting('transaction_isolation') <> 'read committed' THEN
        RAISE EXCEPTION 'chain %: records are linked only in READ COMMITTED transactions', chain
            USING ERRCODE = 'invalid_transaction_state';
    END IF;
    PERFORM pg_advisory_xact_lock(hashtextextended(chain, 0));
    SELECT h.position, h.hash INTO head_position, head_hash FROM numbering_chainhead AS h WHERE h.chain_id = chain;
    head_position := coalesce(head_position, 0);
    head_hash := coalesce(head_hash, '');
END
$$;

-- Link one record onto `chain`: `fields` is its canonical text after the type and position. Returns the
-- record's position and hash, and moves the head.
CREATE FUNCTION folio_chain_append(
    chain text, record_type text, fields text, OUT link_position bigint, OUT link_hash text
)
LANGUAGE plpgsql VOLATILE AS $$
DECLARE
    head record;
BEGIN
    head := folio_chain_head(chain);
    link_position := head.head_position + 1;
    link_hash := encode(sha256(convert_to(
        head.head_hash || folio_chain_field(record_type) || folio_chain_field(link_position::text) || fields,
        'UTF8')), 'hex');
    INSERT INTO numbering_chainhead (chain_id, position, hash) VALUES (chain, link_position, link_hash)
        ON CONFLICT (chain_id) DO UPDATE SET position = EXCLUDED.position, hash = EXCLUDED.hash;
END
$$;

-- A head only moves forward and is never deleted (a shortcut, not evidence: verification recomputes every
-- chain from its records). The WHEN clause keeps the issuing statement's upsert free of any call.
CREATE FUNCTION folio_chain_head_refuse_change() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'chain head %: it only moves forward', OLD.chain_id
        USING ERRCODE = 'restrict_violation', CONSTRAINT = 'chain_head_forward';
END
$$;

CREATE TRIGGER numbering_chain_head_forward
    BEFORE UPDATE ON numbering_chainhead
    FOR EACH ROW WHEN (NEW.position <= OLD.position OR NEW.chain_id <> OLD.chain_id)
    EXECUTE FUNCTION folio_chain_head_refuse_change();

CREATE TRIGGER numbering_chain_head_kept
    BEFORE DELETE ON numbering_chainhead
    FOR EACH ROW EXECUTE FUNCTION folio_chain_head_refuse_change();

-- The canonical texts of the sequence chain's records (after type and position). The issuing statement
-- writes the same text for "number" inline (numbering/services/issuing.py); tests compare both.
CREATE FUNCTION numbering_number_chain_fields(n numbering_issuednumber) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT folio_chain_field(n.id::text) || folio_chain_field(n.entity_id::text)
        || folio_chain_field(n.sequence_id::text) || folio_chain_field(n.period_id::text)
        || folio_chain_field(n.value::text) || folio_chain_field(n.number)
        || folio_chain_field(n.document_type) || folio_chain_field(n.document_id)
        || folio_chain_field(n.reference) || folio_chain_field(folio_chain_time(n.issued_at))
        || folio_chain_field(n.issued_by)
$$;

CREATE FUNCTION numbering_void_chain_fields(n numbering_issuednumber) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT folio_chain_field(n.id::text) || folio_chain_field(n.void_reason)
        || folio_chain_field(folio_chain_time(n.voided_at)) || folio_chain_field(n.voided_by)
$$;

CREATE FUNCTION numbering_counter_event_chain_fields(e numbering_counterevent) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT folio_chain_field(e.id::text) || folio_chain_field(e.entity_id::text)
        || folio_chain_field(e.sequence_id::text) || folio_chain_field(e.period_id::text)
        || folio_chain_field(e.kind) || folio_chain_field(e.value_before::text)
        || folio_chain_field(e.value_after::text) || folio_chain_field(e.reason)
        || folio_chain_field(e.actor) || folio_chain_field(folio_chain_time(e.created_at))
$$;

-- An issued number written by anything but the issuing statement (which links its own) is linked here.
CREATE FUNCTION numbering_issued_number_link() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    link record;
BEGIN
    NEW.void_chain_position := NULL;
    NEW.void_chain_hash := NULL;
    link := folio_chain_append('sequence:' || NEW.sequence_id, 'number', numbering_number_chain_fields(NEW));
    NEW.chain_position := link.link_position;
    NEW.chain_hash := link.link_hash;
    IF NEW.status = 'voided' THEN  -- written voided at once: its void is the next link
        link := folio_chain_append('sequence:' || NEW.sequence_id, 'void', numbering_void_chain_fields(NEW));
        NEW.void_chain_position := link.link_position;
        NEW.void_chain_hash := link.link_hash;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER numbering_issued_number_chained
    BEFORE INSERT ON numbering_issuednumber
    FOR EACH ROW WHEN (NEW.chain_hash IS NULL)
    EXECUTE FUNCTION numbering_issued_number_link();

-- A number's links never change; voiding it (the only update numbering_issued_number_append_only allows,
-- and which fires before this one) links the void.
CREATE FUNCTION numbering_issued_number_void_link() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    link record;
BEGIN
    IF (NEW.chain_position, NEW.chain_hash, NEW.void_chain_position, NEW.void_chain_hash)
       IS DISTINCT FROM (OLD.chain_position, OLD.chain_hash, OLD.void_chain_position, OLD.void_chain_hash)
       AND NOT (OLD.status = 'issued' AND NEW.status = 'voided'
                AND (NEW.chain_position, NEW.chain_hash) IS NOT DISTINCT FROM (OLD.chain_position, OLD.chain_hash))
    THEN
        RAISE EXCEPTION 'issued number %: its chain links are written by the database only', OLD.number
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'chain_links_fixed';
    END IF;
    IF OLD.status = 'issued' AND NEW.status = 'voided' THEN
        link := folio_chain_append('sequence:' || NEW.sequence_id, 'void', numbering_void_chain_fields(NEW));
        NEW.void_chain_position := link.link_position;
        NEW.void_chain_hash := link.link_hash;
    END IF;
    RETURN NEW;
END
$$;

CREATE TRIGGER numbering_issued_number_void_chained
    BEFORE UPDATE ON numbering_issuednumber
    FOR EACH ROW EXECUTE FUNCTION numbering_issued_number_void_link();

CREATE FUNCTION numbering_counter_event_link() RETURNS trigger
LANGUAGE plpgsql AS $$
DECLARE
    link record;
BEGIN
    IF TG_OP = 'UPDATE' THEN  -- a counter event is a record of what happened: it is never rewritten
        RAISE EXCEPTION 'counter event % cannot be changed', OLD.id
            USING ERRCODE = 'restrict_violation', CONSTRAINT = 'chain_links_fixed';
    END IF;
    link := folio_chain_append('sequence:' || NEW.sequence_id, 'counter_event',
                               numbering_counter_event_chain_fields(NEW));
    NEW.chain_position := link.link_position;
    NEW.chain_hash := link.link_hash;
    RETURN NEW;
END
$$;

CREATE TRIGGER numbering_counter_event_chained
    BEFORE INSERT OR UPDATE ON numbering_counterevent
    FOR EACH ROW EXECUTE FUNCTION numbering_counter_event_link();

-- Chains for what was written before this migration: each sequence's records in the order they happened
-- (issues, voids and counter events merged by time), linked as the triggers above would have.
DO $$
DECLARE
    item record;
    link record;
BEGIN
    ALTER TABLE numbering_issuednumber DISABLE TRIGGER numbering_issued_number_append_only;
    ALTER TABLE numbering_issuednumber DISABLE TRIGGER numbering_issued_number_void_chained;
    ALTER TABLE numbering_counterevent DISABLE TRIGGER numbering_counter_event_chained;
    FOR item IN
        SELECT * FROM (
            SELECT n.sequence_id, n.issued_at AS at, 1 AS kind, n.value AS ordinal, n.id::text AS id
              FROM numbering_issuednumber AS n
            UNION ALL
            SELECT n.sequence_id, n.voided_at, 2, n.value, n.id::text
              FROM numbering_issuednumber AS n WHERE n.status = 'voided'
            UNION ALL
            SELECT e.sequence_id, e.created_at, 0, e.id, e.id::text FROM numbering_counterevent AS e
        ) AS records
        ORDER BY sequence_id, at, kind, ordinal
    LOOP
        IF item.kind = 1 THEN
            SELECT * INTO link FROM folio_chain_append('sequence:' || item.sequence_id, 'number',
                (SELECT numbering_number_chain_fields(n) FROM numbering_issuednumber AS n WHERE n.id = item.id::uuid));
            UPDATE numbering_issuednumber SET chain_position = link.link_position, chain_hash = link.link_hash
             WHERE id = item.id::uuid;
        ELSIF item.kind = 2 THEN
            SELECT * INTO link FROM folio_chain_append('sequence:' || item.sequence_id, 'void',
                (SELECT numbering_void_chain_fields(n) FROM numbering_issuednumber AS n WHERE n.id = item.id::uuid));
            UPDATE numbering_issuednumber SET void_chain_position = link.link_position, void_chain_hash = link.link_hash
             WHERE id = item.id::uuid;
        ELSE
            SELECT * INTO link FROM folio_chain_append('sequence:' || item.sequence_id, 'counter_event',
                (SELECT numbering_counter_event_chain_fields(e) FROM numbering_counterevent AS e
                  WHERE e.id = item.id::bigint));
            UPDATE numbering_counterevent SET chain_position = link.link_position, chain_hash = link.link_hash
             WHERE id = item.id::bigint;
        END IF;
    END LOOP;
    ALTER TABLE numbering_issuednumber ENABLE TRIGGER numbering_issued_number_append_only;
    ALTER TABLE numbering_issuednumber ENABLE TRIGGER numbering_issued_number_void_chained;
    ALTER TABLE numbering_counterevent ENABLE TRIGGER numbering_counter_event_chained;
END
$$;
