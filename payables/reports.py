"""How the ledger's reports read payables (named in FOLIO_SUBLEDGERS, ledger/reports/subledgers.py)."""

import datetime
from decimal import Decimal

from django.db.models import Q, Sum

from erp.models import Entity
from ledger.reports.subledgers import PAYABLE, Subledger
from payables.models import APPayment, Vendor, VendorBill, VendorCredit
from payables.models.credits import USABLE_STATUSES


def vendor_credits_available(*, entity: Entity, on: datetime.date) -> Decimal:
    """Return what the entity's open vendor credits can still pay on `on` (not expired by then)."""
    usable = VendorCredit.objects.filter(entity=entity, status__in=USABLE_STATUSES).filter(
        Q(expires_at__isnull=True) | Q(expires_at__date__gt=on)
    )
    return usable.aggregate(left=Sum("remaining_amount"))["left"] or Decimal("0.00")


PAYABLES = Subledger(
    kind=PAYABLE,
    party_model=Vendor,
    party_field="vendor",
    document_model=VendorBill,
    document_date_field="bill_date",
    payment_model=APPayment,
    account_code="accounts_payable",
    sign=-1,
    credits_available=vendor_credits_available,
)
