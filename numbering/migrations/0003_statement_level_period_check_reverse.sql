DROP TRIGGER IF EXISTS numbering_period_keep_issued_on_rekey ON numbering_numberingperiod;
DROP TRIGGER IF EXISTS numbering_period_keep_issued_on_delete ON numbering_numberingperiod;
DROP FUNCTION IF EXISTS numbering_period_keep_issued();
DROP TRIGGER IF EXISTS numbering_issued_number_period_check ON numbering_issuednumber;
DROP FUNCTION IF EXISTS numbering_issued_number_period_check();
ALTER TABLE numbering_issuednumber
    ADD CONSTRAINT issued_number_period_fk
    FOREIGN KEY (period_id, sequence_id, entity_id)
    REFERENCES numbering_numberingperiod (id, sequence_id, entity_id)
    ON DELETE RESTRICT;
