"""What the database checks at commit for payables (migrations 0002, 0004 and 0009), named for the services.

A payment moves bill balances and credit remainders, and its void restores them, so every payables
document runs them all before its journal number (ledger.documents.services.commit_checks_run).
"""

COMMIT_CHECKS = (
    "payables_vendor_bill_consistent",
    "payables_vendor_bill_consistent_on_update",
    "payables_vendor_credit_consistent",
    "payables_vendor_credit_consistent_on_update",
    "payables_ap_payment_consistent",
    "payables_vendor_bill_posted_consistent",
    "payables_vendor_bill_posted_still_consistent",
    "payables_vendor_credit_posted_consistent",
    "payables_vendor_credit_posted_still_consistent",
    "payables_ap_payment_posted_consistent",
    "payables_vendor_bill_draft_lines_consistent",
)
