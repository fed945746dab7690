"""Demo receivables for load_demo: a few customers, invoices and one payment, made through the services."""

import datetime

from django.db import transaction
from django.utils import timezone

from erp.models import Entity
from ledger.documents.services import ApplicationInput
from receivables.models import Invoice
from receivables.services.customers import customer_create
from receivables.services.invoices import InvoiceLineInput, invoice_create
from receivables.services.payments import payment_apply_to_invoices

DEMO_ACTOR = "demo:load_demo"


@transaction.atomic
def receivables_create_demo(*, entity: Entity) -> list[Invoice]:
    """Add three customers, five invoices and one check paying two of them in part and in full."""
    today = timezone.localdate()
    northwind = customer_create(entity=entity, name="Northwind Traders", email="ap@northwind.example")
    contoso = customer_create(entity=entity, name="Contoso Ltd", email="billing@contoso.example")
    customer_create(entity=entity, name="Fabrikam Inc", external_reference="CRM-1042")

    def invoice(customer, days_ago: int, *lines: tuple[str, str, str]) -> Invoice:
        invoice_date = today - datetime.timedelta(days=days_ago)
        return invoice_create(
            entity=entity,
            customer_id=customer.pk,
            invoice_date=invoice_date,
            due_date=invoice_date + datetime.timedelta(days=30),
            lines=[InvoiceLineInput(description=d, quantity=q, unit_price=p) for d, q, p in lines],
            created_by=DEMO_ACTOR,
        )

    invoices = [
        invoice(northwind, 40, ("Consulting hours", "12", "150.00"), ("Travel", "1", "320.50")),
        invoice(northwind, 25, ("Support plan (monthly)", "1", "990.00")),
        invoice(northwind, 5, ("Training workshop", "2", "750.00")),
        invoice(contoso, 20, ("Widgets", "40", "12.25"), ("Shipping", "1", "45.00")),
        invoice(contoso, 2, ("Implementation", "1", "4200.00")),
    ]
    oldest, second = invoices[0], invoices[1]
    payment_apply_to_invoices(
        entity=entity,
        customer_id=northwind.pk,
        payment_method="check",
        amount=oldest.total + 500,
        applications=[
            ApplicationInput(document_id=oldest.pk, amount_applied=oldest.total),
            ApplicationInput(document_id=second.pk, amount_applied="500.00"),
        ],
        payment_date=today - datetime.timedelta(days=3),
        check_number="10442",
        created_by=DEMO_ACTOR,
    )
    return invoices
