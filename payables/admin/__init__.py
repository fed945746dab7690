"""Admin for accountants: vendors with their credit history, bills, vendor credits and "Pay bills".

Every write goes through payables.services, the way erp.adminkit describes; nothing here saves a model itself.
"""

from payables.admin import bills, credits, payments, vendors

__all__ = ["bills", "credits", "payments", "vendors"]
