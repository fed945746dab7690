"""Payables state: vendors, bills, vendor credits, AP payments and what each payment applied.

The services check every rule first for a clear error; the CHECKs here hold them anyway, and the
deferred triggers of migration 0002 hold the cross-row sums (what was applied equals what a bill or
a credit lost), so neither a concurrent writer nor a raw UPDATE can leave a balance that lies.
"""

from payables.models.bills import VendorBill, VendorBillLine
from payables.models.credits import VendorCredit
from payables.models.payments import APPayment, APPaymentApplication, VendorCreditApplication
from payables.models.vendors import Vendor

__all__ = [
    "APPayment",
    "APPaymentApplication",
    "Vendor",
    "VendorBill",
    "VendorBillLine",
    "VendorCredit",
    "VendorCreditApplication",
]
