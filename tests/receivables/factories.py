"""Factories for receivables, built through the services like production data."""

import datetime

import factory

from receivables.models import Customer, Invoice
from receivables.services import InvoiceLineInput, customer_create, invoice_create
from tests.erp.factories import EntityFactory

INVOICE_DATE = datetime.date(2026, 3, 2)


class CustomerFactory(factory.django.DjangoModelFactory):
    """A customer created by customer_create."""

    class Meta:
        model = Customer

    entity = factory.SubFactory(EntityFactory)
    name = factory.Sequence(lambda n: f"Customer {n}")
    email = factory.Sequence(lambda n: f"billing{n}@example.com")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return customer_create(**kwargs)


class InvoiceFactory(factory.django.DjangoModelFactory):
    """An invoice posted by invoice_create: one line of `amount` unless `lines` is given."""

    class Meta:
        model = Invoice
        exclude = ["amount"]

    amount = "100.00"
    customer = factory.SubFactory(CustomerFactory)
    invoice_date = INVOICE_DATE
    lines = factory.LazyAttribute(lambda o: [InvoiceLineInput(description="Services", unit_price=o.amount)])

    @classmethod
    def _create(cls, model_class, *args, customer, **kwargs):
        return invoice_create(entity=customer.entity, customer_id=customer.pk, created_by="test", **kwargs)
