-- An Idempotency-Key's lock and its stored outcome in one round trip (erp/services/idempotency.py;
-- reversed by 0013_idempotency_claim_reverse.sql). The lock is the transaction-scoped advisory lock the
-- service always took; a concurrent duplicate is refused (acquired = false) rather than queued.
--
-- Why a function and not one SELECT: under READ COMMITTED a statement's snapshot is taken when it
-- starts, before its lock is granted, so a single SELECT could miss the record of a duplicate that
-- committed in between and run the write again. A VOLATILE function takes a fresh snapshot for each
-- statement it runs: the lookup below sees every record committed before the lock was granted.
CREATE FUNCTION erp_idempotency_claim(
    lock_key text, p_entity_id uuid, p_method text, p_path text, p_key text
) RETURNS TABLE (
    acquired boolean,
    record_id bigint,
    request_fingerprint text,
    status_code integer,
    response_body text,
    created_at timestamptz
)
LANGUAGE plpgsql VOLATILE AS $$
BEGIN
    IF NOT pg_try_advisory_xact_lock(hashtextextended(lock_key, 0)) THEN
        RETURN QUERY SELECT false, NULL::bigint, NULL::text, NULL::integer, NULL::text, NULL::timestamptz;
        RETURN;
    END IF;
    RETURN QUERY
        SELECT true, r.id, r.request_fingerprint::text, r.status_code::integer, r.response_body, r.created_at
          FROM erp_idempotencyrecord AS r
         WHERE r.entity_id = p_entity_id AND r.method = p_method AND r.path = p_path AND r.key = p_key;
    IF NOT FOUND THEN
        RETURN QUERY SELECT true, NULL::bigint, NULL::text, NULL::integer, NULL::text, NULL::timestamptz;
    END IF;
END
$$;
