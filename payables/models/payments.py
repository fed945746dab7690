"""AP payments: cash and vendor credit applied to one vendor's open bills."""

import uuid

from django.db import models
from django.db.models import F, Q

from erp.models import Entity
from ledger.models import JournalEntry
from payables.models.bills import VendorBill
from payables.models.credits import VendorCredit
from payables.models.vendors import MONEY, Vendor


class APPaymentMethod(models.TextChoices):
    CHECK = "check"
    ACH = "ach"
    WIRE = "wire"
    CREDIT_CARD = "credit_card"
    CASH = "cash"
    OTHER = "other"


class APPaymentStatus(models.TextChoices):
    APPLIED = "applied"
    VOID = "void"


class APPayment(models.Model):
    """A payment to one vendor: `amount` in cash plus `credit_amount` of vendor credit, applied to bills."""

    Method = APPaymentMethod
    Status = APPaymentStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="ap_payments")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="payments")
    # Empty only between the insert and the number taken last in the same transaction.
    number = models.CharField(max_length=64, blank=True, editable=False)
    method = models.CharField(max_length=12, choices=APPaymentMethod.choices)
    amount = models.DecimalField(**MONEY, help_text="The cash part.")
    credit_amount = models.DecimalField(**MONEY, default=0, help_text="The vendor credit spent.")
    total_applied = models.DecimalField(**MONEY)
    status = models.CharField(max_length=10, choices=APPaymentStatus.choices, default=APPaymentStatus.APPLIED)
    payment_date = models.DateField()
    check_number = models.CharField(max_length=50, blank=True)
    external_reference = models.CharField(max_length=200, blank=True)
    notes = models.TextField(blank=True)
    journal_entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="+")
    void_journal_entry = models.ForeignKey(
        JournalEntry, on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    void_reason = models.CharField(max_length=500, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.CharField(max_length=100, blank=True)
    created_by = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = "AP payment"
        ordering = ["-created_at"]
        indexes = [models.Index(fields=["entity", "vendor", "status"], name="ap_payment_vendor_status")]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "number"], condition=~Q(number=""), name="ap_payment_unique_number"
            ),
            models.CheckConstraint(
                condition=Q(amount__gte=0, credit_amount__gte=0), name="ap_payment_amounts_not_negative"
            ),
            models.CheckConstraint(
                condition=Q(total_applied=F("amount") + F("credit_amount"), total_applied__gt=0),
                name="ap_payment_total_is_cash_plus_credit",
            ),
            models.CheckConstraint(
                condition=Q(method__in=APPaymentMethod.values), name="ap_payment_known_method"
            ),
            models.CheckConstraint(
                condition=Q(method=APPaymentMethod.CHECK) | Q(check_number=""),
                name="ap_payment_check_number_only_for_checks",
            ),
            models.CheckConstraint(
                condition=Q(
                    status=APPaymentStatus.VOID, voided_at__isnull=False, void_journal_entry__isnull=False
                )
                | Q(status=APPaymentStatus.APPLIED, voided_at__isnull=True, void_journal_entry__isnull=True),
                name="ap_payment_void_recorded",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"(unnumbered AP payment {self.pk})"


class APPaymentApplication(models.Model):
    """The part of a payment applied to one bill; a voided payment keeps its rows, marked by its status."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    payment = models.ForeignKey(APPayment, on_delete=models.PROTECT, related_name="applications")
    bill = models.ForeignKey(VendorBill, on_delete=models.PROTECT, related_name="applications")
    position = models.PositiveSmallIntegerField()
    amount_applied = models.DecimalField(**MONEY)

    class Meta:
        verbose_name = "bill application"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["payment", "bill"], name="ap_payment_application_once_per_bill"),
            models.CheckConstraint(condition=Q(amount_applied__gt=0), name="ap_payment_application_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount_applied} to {self.bill_id}"


class VendorCreditApplication(models.Model):
    """The part of a vendor credit a payment spent; kept, marked by the payment's status, when voided."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    payment = models.ForeignKey(APPayment, on_delete=models.PROTECT, related_name="credit_applications")
    vendor_credit = models.ForeignKey(VendorCredit, on_delete=models.PROTECT, related_name="applications")
    # Credits are spent oldest first; the position keeps that order for the response.
    position = models.PositiveSmallIntegerField()
    amount = models.DecimalField(**MONEY)

    class Meta:
        verbose_name = "credit consumption"
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "vendor_credit"], name="vendor_credit_application_once_per_payment"
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="vendor_credit_application_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount} of {self.vendor_credit_id}"
