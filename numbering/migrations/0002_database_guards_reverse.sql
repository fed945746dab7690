DROP TRIGGER IF EXISTS numbering_issued_number_append_only ON numbering_issuednumber;
DROP FUNCTION IF EXISTS numbering_issued_number_guard();
DROP TRIGGER IF EXISTS numbering_period_monotonic ON numbering_numberingperiod;
DROP FUNCTION IF EXISTS numbering_period_refuse_change();
DROP FUNCTION IF EXISTS numbering_alpha_text(bigint, integer);
ALTER TABLE numbering_issuednumber DROP CONSTRAINT IF EXISTS issued_number_period_fk;
