-- Back to the form of 0007_chains.sql: its functions, and every sequence chain linked again in it.
CREATE OR REPLACE FUNCTION folio_chain_append(
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

CREATE OR REPLACE FUNCTION numbering_number_chain_fields(n numbering_issuednumber) RETURNS text
LANGUAGE sql STABLE AS $$
    SELECT folio_chain_field(n.id::text) || folio_chain_field(n.entity_id::text)
        || folio_chain_field(n.sequence_id::text) || folio_chain_field(n.period_id::text)
        || folio_chain_field(n.value::text) || folio_chain_field(n.number)
        || folio_chain_field(n.document_type) || folio_chain_field(n.document_id)
        || folio_chain_field(n.reference) || folio_chain_field(folio_chain_time(n.issued_at))
        || folio_chain_field(n.issued_by)
$$;

-- Link a sequence's chain again in the form of 0007 (previous hash as hex text).
CREATE FUNCTION numbering_chain_relink_sequence(sequence uuid) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    item record;
    previous text := '';
    linked bigint := 0;
    link text;
BEGIN
    FOR item IN
        SELECT * FROM (
            SELECT n.chain_position AS at, 'number' AS kind, n.id::text AS id,
                   numbering_number_chain_fields(n) AS fields
              FROM numbering_issuednumber AS n WHERE n.sequence_id = sequence AND n.chain_position IS NOT NULL
            UNION ALL
            SELECT n.void_chain_position, 'void', n.id::text, numbering_void_chain_fields(n)
              FROM numbering_issuednumber AS n WHERE n.sequence_id = sequence AND n.void_chain_position IS NOT NULL
            UNION ALL
            SELECT e.chain_position, 'counter_event', e.id::text, numbering_counter_event_chain_fields(e)
              FROM numbering_counterevent AS e WHERE e.sequence_id = sequence AND e.chain_position IS NOT NULL
        ) AS records
        ORDER BY at
    LOOP
        linked := linked + 1;
        link := encode(sha256(convert_to(previous ||
            folio_chain_field(item.kind) || folio_chain_field(linked::text) || item.fields, 'UTF8')), 'hex');
        previous := link;
        IF item.kind = 'number' THEN
            UPDATE numbering_issuednumber SET chain_position = linked, chain_hash = link WHERE id = item.id::uuid;
        ELSIF item.kind = 'void' THEN
            UPDATE numbering_issuednumber SET void_chain_position = linked, void_chain_hash = link
             WHERE id = item.id::uuid;
        ELSE
            UPDATE numbering_counterevent SET chain_position = linked, chain_hash = link WHERE id = item.id::bigint;
        END IF;
    END LOOP;
    IF linked > 0 THEN
        UPDATE numbering_chainhead SET position = linked, hash = link WHERE chain_id = 'sequence:' || sequence;
    END IF;
END
$$;

DO $$
DECLARE
    item record;
BEGIN
    ALTER TABLE numbering_issuednumber DISABLE TRIGGER numbering_issued_number_append_only;
    ALTER TABLE numbering_issuednumber DISABLE TRIGGER numbering_issued_number_void_chained;
    ALTER TABLE numbering_counterevent DISABLE TRIGGER numbering_counter_event_chained;
    ALTER TABLE numbering_chainhead DISABLE TRIGGER numbering_chain_head_forward;
    FOR item IN SELECT id FROM numbering_sequence LOOP
        PERFORM numbering_chain_relink_sequence(item.id);
    END LOOP;
    ALTER TABLE numbering_issuednumber ENABLE TRIGGER numbering_issued_number_append_only;
    ALTER TABLE numbering_issuednumber ENABLE TRIGGER numbering_issued_number_void_chained;
    ALTER TABLE numbering_counterevent ENABLE TRIGGER numbering_counter_event_chained;
    ALTER TABLE numbering_chainhead ENABLE TRIGGER numbering_chain_head_forward;
END
$$;

DROP FUNCTION numbering_chain_relink_sequence(uuid);
