"""Receivables: customers, invoices, payments applied to many invoices at once."""
