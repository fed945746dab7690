"""Demo payables for load_demo: vendors, a few bills and one vendor credit, all through the services."""

import datetime

from django.db import transaction
from django.utils import timezone

from erp.models import Entity
from ledger.documents.services import LineInput
from payables.services.bills import vendor_bill_create
from payables.services.credits import vendor_credit_issue
from payables.services.vendors import vendor_create

DEMO_ACTOR = "system:load_demo"


@transaction.atomic
def payables_create_demo(*, entity: Entity) -> None:
    """Add two vendors with open bills and a vendor credit to the demo entity."""
    today = timezone.localdate()
    office = vendor_create(
        entity=entity,
        name="Northwind Office Supply",
        email="billing@northwind.example",
        external_reference="NW-01",
    )
    freight = vendor_create(entity=entity, name="Contoso Freight", email="ap@contoso.example")
    bills = [
        (office, "NW-4410", [("Printer paper, 40 reams", "40", "6.25"), ("Toner cartridges", "4", "89.90")]),
        (office, "NW-4471", [("Standing desks", "2", "415.00")]),
        (freight, "CF-2026-118", [("Inbound freight, March", "1", "1240.00")]),
    ]
    for offset, (vendor, reference, lines) in enumerate(bills):
        vendor_bill_create(
            entity=entity,
            vendor_id=vendor.pk,
            bill_date=today - datetime.timedelta(days=20 - 5 * offset),
            due_date=today + datetime.timedelta(days=10 + 5 * offset),
            vendor_reference=reference,
            lines=[LineInput(description=d, quantity=q, unit_price=p) for d, q, p in lines],
            created_by=DEMO_ACTOR,
        )
    vendor_credit_issue(
        entity=entity,
        vendor_id=office.pk,
        amount="120.00",
        reason="Two damaged standing desk frames returned",
        source_type="vendor_return",
        created_by=DEMO_ACTOR,
    )
