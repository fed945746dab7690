-- Reverses 0004_posted_fields_guards.sql.
DROP TRIGGER payables_vendor_credit_application_kept_on_truncate ON payables_vendorcreditapplication;
DROP TRIGGER payables_ap_payment_application_kept_on_truncate ON payables_appaymentapplication;
DROP TRIGGER payables_ap_payment_kept_on_truncate ON payables_appayment;
DROP TRIGGER payables_vendor_credit_kept_on_truncate ON payables_vendorcredit;
DROP TRIGGER payables_vendor_bill_line_kept_on_truncate ON payables_vendorbillline;
DROP TRIGGER payables_vendor_bill_kept_on_truncate ON payables_vendorbill;
DROP FUNCTION payables_keep_history_on_truncate();
DROP TRIGGER payables_vendor_bill_line_before_number ON payables_vendorbillline;
DROP FUNCTION payables_vendor_bill_line_guard();
DROP TRIGGER payables_vendor_entity_immutable ON payables_vendor;
DROP FUNCTION payables_vendor_guard();
DROP TRIGGER payables_ap_payment_posted ON payables_appayment;
DROP TRIGGER payables_vendor_credit_posted ON payables_vendorcredit;
DROP TRIGGER payables_vendor_bill_posted ON payables_vendorbill;
DROP FUNCTION payables_ap_payment_guard();
DROP FUNCTION payables_vendor_credit_guard();
DROP FUNCTION payables_vendor_bill_guard();
DROP TRIGGER payables_vendor_credit_applications_matched ON payables_vendorcreditapplication;
DROP TRIGGER payables_ap_payment_applications_matched ON payables_appaymentapplication;
DROP FUNCTION payables_credit_applications_match();
DROP FUNCTION payables_bill_applications_match();
-- 0002's deferred check per application, as 0002 created it.
CREATE CONSTRAINT TRIGGER payables_ap_payment_application_consistent
    AFTER INSERT ON payables_appaymentapplication
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payables_document_deferred_check();
CREATE CONSTRAINT TRIGGER payables_vendor_credit_application_consistent
    AFTER INSERT ON payables_vendorcreditapplication
    DEFERRABLE INITIALLY DEFERRED
    FOR EACH ROW EXECUTE FUNCTION payables_document_deferred_check();
DROP TRIGGER payables_ap_payment_posted_consistent ON payables_appayment;
DROP TRIGGER payables_vendor_credit_posted_still_consistent ON payables_vendorcredit;
DROP TRIGGER payables_vendor_credit_posted_consistent ON payables_vendorcredit;
DROP TRIGGER payables_vendor_bill_posted_still_consistent ON payables_vendorbill;
DROP TRIGGER payables_vendor_bill_posted_consistent ON payables_vendorbill;
DROP FUNCTION payables_posted_deferred_check();
DROP FUNCTION payables_posted_document_check(text, uuid);
