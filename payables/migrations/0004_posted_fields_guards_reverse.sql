-- Reverses 0004_posted_fields_guards.sql.
DROP TRIGGER payables_vendor_entity_immutable ON payables_vendor;
DROP FUNCTION payables_vendor_guard();
DROP TRIGGER payables_ap_payment_posted ON payables_appayment;
DROP TRIGGER payables_vendor_credit_posted ON payables_vendorcredit;
DROP TRIGGER payables_vendor_bill_posted ON payables_vendorbill;
DROP FUNCTION payables_ap_payment_guard();
DROP FUNCTION payables_vendor_credit_guard();
DROP FUNCTION payables_vendor_bill_guard();
DROP TRIGGER payables_ap_payment_posted_consistent ON payables_appayment;
DROP TRIGGER payables_vendor_credit_posted_consistent ON payables_vendorcredit;
DROP TRIGGER payables_vendor_bill_line_consistent ON payables_vendorbillline;
DROP TRIGGER payables_vendor_bill_posted_consistent ON payables_vendorbill;
DROP FUNCTION payables_posted_deferred_check();
DROP FUNCTION payables_posted_document_check(text, uuid);
