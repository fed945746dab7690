"""How the ledger's reports read receivables (named in FOLIO_SUBLEDGERS, ledger/reports/subledgers.py)."""

from ledger.reports.subledgers import RECEIVABLE, Subledger
from receivables.models import Customer, Invoice, Payment

RECEIVABLES = Subledger(
    kind=RECEIVABLE,
    party_model=Customer,
    party_field="customer",
    document_model=Invoice,
    document_date_field="invoice_date",
    payment_model=Payment,
    account_code="accounts_receivable",
    sign=1,
)
