-- Test mode and memberships kept by the database (reversed by 0008_test_books_and_memberships_reverse.sql).

-- An entity's mode and the live entity its test books belong to never change, and test books belong
-- to a live entity (never to other test books).
CREATE FUNCTION erp_entity_mode_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND (NEW.livemode IS DISTINCT FROM OLD.livemode
                             OR NEW.live_entity_id IS DISTINCT FROM OLD.live_entity_id) THEN
        RAISE EXCEPTION 'entity %: livemode and live_entity are fixed at creation', OLD.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'entity_mode_fixed';
    END IF;
    IF NEW.live_entity_id IS NOT NULL
       AND NOT EXISTS (SELECT 1 FROM erp_entity WHERE id = NEW.live_entity_id AND livemode) THEN
        RAISE EXCEPTION 'entity %: test books belong to a live entity', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'entity_test_books_of_live_entity';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER erp_entity_mode_guard BEFORE INSERT OR UPDATE ON erp_entity
    FOR EACH ROW EXECUTE FUNCTION erp_entity_mode_guard();

-- A key's mode is its entity's: a test key belongs to test books, a live key to a live entity.
-- (Checked when a key is written or moved; a test key written before test books existed is moved to
-- them on its first use, erp/services/api_keys.py.)
CREATE FUNCTION erp_api_key_mode_guard() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM erp_entity WHERE id = NEW.entity_id AND livemode = NEW.livemode) THEN
        RAISE EXCEPTION 'api key %: a % key must belong to % books', NEW.prefix,
            CASE WHEN NEW.livemode THEN 'live' ELSE 'test' END,
            CASE WHEN NEW.livemode THEN 'live' ELSE 'test' END
            USING ERRCODE = 'check_violation', CONSTRAINT = 'api_key_mode_matches_entity';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER erp_api_key_mode_guard BEFORE INSERT OR UPDATE OF entity_id, livemode ON erp_apikey
    FOR EACH ROW EXECUTE FUNCTION erp_api_key_mode_guard();

-- A membership names a live entity; it covers that entity's test books too.
CREATE FUNCTION erp_membership_live_entity() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM erp_entity WHERE id = NEW.entity_id AND livemode) THEN
        RAISE EXCEPTION 'membership %: name the live entity, not its test books', NEW.id
            USING ERRCODE = 'check_violation', CONSTRAINT = 'membership_of_live_entity';
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER erp_membership_live_entity BEFORE INSERT OR UPDATE OF entity_id ON erp_membership
    FOR EACH ROW EXECUTE FUNCTION erp_membership_live_entity();
