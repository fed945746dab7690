DROP TRIGGER IF EXISTS numbering_period_keep_issued_on_truncate ON numbering_numberingperiod;
DROP FUNCTION IF EXISTS numbering_period_keep_issued_on_truncate();
DROP TRIGGER IF EXISTS numbering_period_keep_issued_on_rekey ON numbering_numberingperiod;
DROP TRIGGER IF EXISTS numbering_period_keep_issued_on_delete ON numbering_numberingperiod;
DROP FUNCTION IF EXISTS numbering_period_keep_issued();
DROP TRIGGER IF EXISTS numbering_issued_number_period_check ON numbering_issuednumber;
DROP FUNCTION IF EXISTS numbering_issued_number_period_check();
-- NOT VALID first, so issuing is blocked only briefly; VALIDATE then scans the ledger under a lock
-- that lets issuing go on. It fails on an orphan, which this finds:
--   SELECT i.id FROM numbering_issuednumber i LEFT JOIN numbering_numberingperiod p
--     ON (p.id, p.sequence_id, p.entity_id) = (i.period_id, i.sequence_id, i.entity_id)
--    WHERE p.id IS NULL;
ALTER TABLE numbering_issuednumber
    ADD CONSTRAINT issued_number_period_fk
    FOREIGN KEY (period_id, sequence_id, entity_id)
    REFERENCES numbering_numberingperiod (id, sequence_id, entity_id)
    ON DELETE RESTRICT
    NOT VALID;
ALTER TABLE numbering_issuednumber VALIDATE CONSTRAINT issued_number_period_fk;
