"""Payables services: the only write path for vendors, bills, vendor credits and AP payments.

They take lines and applications as the kit's typed inputs, re-exported here: `LineInput` and
`ApplicationInput` (`document_id` is the bill's id).
"""

from ledger.documents.services import ApplicationInput, LineInput
from payables.services.bills import (
    vendor_bill_create,
    vendor_bill_delete,
    vendor_bill_post,
    vendor_bill_update,
    vendor_bill_void,
)
from payables.services.credits import vendor_credit_issue, vendor_credit_void
from payables.services.demo import payables_create_demo
from payables.services.expiry import vendor_credit_expire, vendor_credits_expire
from payables.services.payments import ap_payment_create, ap_payment_void
from payables.services.vendors import vendor_create, vendor_update

__all__ = [
    "ApplicationInput",
    "LineInput",
    "ap_payment_create",
    "ap_payment_void",
    "payables_create_demo",
    "vendor_bill_create",
    "vendor_bill_delete",
    "vendor_bill_post",
    "vendor_bill_update",
    "vendor_bill_void",
    "vendor_create",
    "vendor_credit_expire",
    "vendor_credit_issue",
    "vendor_credit_void",
    "vendor_credits_expire",
    "vendor_update",
]
