ALTER TABLE receivables_invoice RESET (fillfactor);
