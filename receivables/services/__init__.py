"""Receivables services: the only write path for customers, invoices and payments."""

from receivables.services.customers import customer_create, customer_update
from receivables.services.demo import receivables_create_demo
from receivables.services.invoices import InvoiceLineInput, invoice_create, invoice_void
from receivables.services.payments import ApplicationInput, payment_apply_to_invoices, payment_void

__all__ = [
    "ApplicationInput",
    "InvoiceLineInput",
    "customer_create",
    "customer_update",
    "invoice_create",
    "invoice_void",
    "payment_apply_to_invoices",
    "payment_void",
    "receivables_create_demo",
]
