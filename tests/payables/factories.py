"""Factories for payables rows, built through the services like production data."""

import contextlib
import datetime
from decimal import Decimal
from unittest import mock

import factory
from django.utils import timezone

from payables.models import Vendor, VendorBill, VendorCredit
from payables.services import LineInput, vendor_bill_create, vendor_create, vendor_credit_issue
from tests.erp.factories import EntityFactory

BILL_DATE = datetime.date(2026, 3, 2)


class VendorFactory(factory.django.DjangoModelFactory):
    """A vendor created by vendor_create."""

    class Meta:
        model = Vendor

    entity = factory.SubFactory(EntityFactory)
    name = factory.Sequence(lambda n: f"Vendor {n}")
    email = factory.Sequence(lambda n: f"ap{n}@vendor.example")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return vendor_create(**kwargs)


class VendorBillFactory(factory.django.DjangoModelFactory):
    """A one-line bill of `total` created by vendor_bill_create (posted and numbered)."""

    class Meta:
        model = VendorBill

    vendor = factory.SubFactory(VendorFactory)
    bill_date = BILL_DATE
    total = Decimal("100.00")

    @classmethod
    def _create(cls, model_class, *args, vendor, total, **kwargs):
        return vendor_bill_create(
            entity=vendor.entity,
            vendor_id=vendor.pk,
            lines=[LineInput(description="Goods", unit_price=total)],
            **kwargs,
        )


class VendorCreditFactory(factory.django.DjangoModelFactory):
    """A vendor credit issued by vendor_credit_issue (posted and numbered), never expiring by default."""

    class Meta:
        model = VendorCredit

    vendor = factory.SubFactory(VendorFactory)
    amount = Decimal("50.00")
    expires_at = None

    @classmethod
    def _create(cls, model_class, *args, vendor, **kwargs):
        credit, _ = vendor_credit_issue(entity=vendor.entity, vendor_id=vendor.pk, **kwargs)
        return credit


@contextlib.contextmanager
def clock_at(moment: datetime.datetime):
    """Run the block as if it were `moment`: what the services stamp and compare with timezone.now()."""
    with mock.patch("django.utils.timezone.now", return_value=moment):
        yield


def expired_credit(vendor, amount="50.00", *, ago: datetime.timedelta) -> VendorCredit:
    """A credit whose expires_at passed `ago` ago, issued a day before that, while it was still ahead.

    A credit's expires_at never changes once issued (payables/migrations/0004_posted_fields_guards.sql),
    so time passing is played by issuing it in the past.
    """
    expires_at = timezone.now() - ago
    with clock_at(expires_at - datetime.timedelta(days=1)):
        return VendorCreditFactory(vendor=vendor, amount=Decimal(amount), expires_at=expires_at)
