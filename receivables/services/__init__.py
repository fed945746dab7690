"""Receivables services: the only write path for customers, invoices and payments.

They take lines and applications as the kit's typed inputs, re-exported here: `InvoiceLineInput`
(the kit's `LineInput`) and `ApplicationInput` (`document_id` is the invoice's id).
"""

from ledger.documents.services import ApplicationInput
from receivables.services.customers import customer_create, customer_update
from receivables.services.demo import receivables_create_demo
from receivables.services.invoices import (
    InvoiceLineInput,
    invoice_create,
    invoice_delete,
    invoice_post,
    invoice_update,
    invoice_void,
)
from receivables.services.payments import payment_apply_to_invoices, payment_void

__all__ = [
    "ApplicationInput",
    "InvoiceLineInput",
    "customer_create",
    "customer_update",
    "invoice_create",
    "invoice_delete",
    "invoice_post",
    "invoice_update",
    "invoice_void",
    "payment_apply_to_invoices",
    "payment_void",
    "receivables_create_demo",
]
