"""Admin for receivables: customers, invoices and payments, every write through the services."""

from receivables.admin import customers, invoices, payments

__all__ = ["customers", "invoices", "payments"]
