-- Back to 0012: the service takes the lock and reads the record in two statements again.
DROP FUNCTION erp_idempotency_claim(text, uuid, text, text, text);
