"""Receivables state: customers, invoices with lines, and payments applied to invoices.

The services check every rule first for a clear error; the CHECKs of these models hold them anyway,
and the triggers of migration 0003 hold the cross-row rules (what was applied equals what an invoice
lost, history append-only, posted fields fixed), so neither a concurrent writer nor a raw UPDATE can
leave a balance or a status that lies. Child rows (lines, applications) belong to their parent's entity.
"""

from receivables.models.customers import Customer
from receivables.models.invoices import Invoice, InvoiceLine
from receivables.models.payments import Payment, PaymentApplication, PaymentMethod

__all__ = ["Customer", "Invoice", "InvoiceLine", "Payment", "PaymentApplication", "PaymentMethod"]
