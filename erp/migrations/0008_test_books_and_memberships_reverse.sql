DROP TRIGGER erp_membership_live_entity ON erp_membership;
DROP FUNCTION erp_membership_live_entity();
DROP TRIGGER erp_api_key_mode_guard ON erp_apikey;
DROP FUNCTION erp_api_key_mode_guard();
DROP TRIGGER erp_entity_mode_guard ON erp_entity;
DROP FUNCTION erp_entity_mode_guard();
