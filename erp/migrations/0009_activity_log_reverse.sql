DROP TRIGGER erp_activity_chained ON erp_activity;
DROP FUNCTION erp_activity_link();
DROP TRIGGER erp_activity_kept_on_truncate ON erp_activity;
DROP FUNCTION erp_activity_keep_on_truncate();
DROP TRIGGER erp_activity_append_only ON erp_activity;
DROP FUNCTION erp_activity_guard();
DROP TRIGGER erp_activity_starts_unchained ON erp_activity;
DROP FUNCTION erp_activity_insert_guard();
DROP FUNCTION erp_activity_canonical(erp_activity);
