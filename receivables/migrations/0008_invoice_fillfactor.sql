-- Each payment writes two new versions of each invoice it applies to (the running total, then the balance).
-- With full pages those versions go to other pages and every index of the table gets a new entry (a non-HOT
-- update); room left on each page lets them stay on it (reversed by 0008_invoice_fillfactor_reverse.sql).
ALTER TABLE receivables_invoice SET (fillfactor = 70);
