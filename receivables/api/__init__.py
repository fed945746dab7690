"""The receivables REST API: customers, invoices and the payments applied to them."""
