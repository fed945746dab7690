"""Payables reads: per-entity lists for the API and admin, and what a vendor can pay with."""

import datetime

from django.db.models import Prefetch, QuerySet
from django.utils import timezone

from erp.models import Entity
from payables.models import (
    APPayment,
    APPaymentApplication,
    Vendor,
    VendorBill,
    VendorCredit,
    VendorCreditApplication,
)
from payables.models.credits import USABLE_STATUSES


def vendors_for_entity(*, entity: Entity) -> QuerySet[Vendor]:
    """Return an entity's vendors."""
    return Vendor.objects.filter(entity=entity)


def vendor_bills_for_entity(*, entity: Entity) -> QuerySet[VendorBill]:
    """Return an entity's bills with their lines."""
    return VendorBill.objects.filter(entity=entity).prefetch_related("lines")


def vendor_credits_for_entity(*, entity: Entity) -> QuerySet[VendorCredit]:
    """Return an entity's vendor credits."""
    return VendorCredit.objects.filter(entity=entity)


def ap_payments_for_entity(*, entity: Entity) -> QuerySet[APPayment]:
    """Return an entity's AP payments with what each applied and spent."""
    return APPayment.objects.filter(entity=entity).prefetch_related(
        Prefetch("applications", queryset=APPaymentApplication.objects.select_related("bill")),
        Prefetch(
            "credit_applications", queryset=VendorCreditApplication.objects.select_related("vendor_credit")
        ),
    )


def vendor_open_bills(*, vendor: Vendor) -> QuerySet[VendorBill]:
    """Return a vendor's bills that can still be paid, oldest first."""
    return VendorBill.objects.filter(
        vendor=vendor, status__in=[VendorBill.Status.OPEN, VendorBill.Status.PARTIALLY_PAID]
    ).order_by("bill_date", "created_at", "pk")


def vendor_usable_credits(*, vendor: Vendor, at: datetime.datetime | None = None) -> QuerySet[VendorCredit]:
    """Return a vendor's credits a payment could spend now, in the order a payment spends them."""
    at = at or timezone.now()
    return (
        VendorCredit.objects.filter(vendor=vendor, status__in=USABLE_STATUSES)
        .exclude(expires_at__lte=at)
        .order_by("created_at", "pk")
    )
