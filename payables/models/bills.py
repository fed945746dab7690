"""Vendor bills and their lines: what the entity owes, numbered from the `vendor_bill` counter."""

import uuid

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round

from erp.models import Entity
from ledger.models import JournalEntry
from payables.models.vendors import MONEY, Vendor


class VendorBillStatus(models.TextChoices):
    OPEN = "open"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    VOID = "void"


class VendorBill(models.Model):
    """A vendor's bill: posted DR expense / CR accounts_payable, paid down by AP payments."""

    Status = VendorBillStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="vendor_bills")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="bills")
    # Empty only between the insert and the number taken last in the same transaction.
    number = models.CharField(max_length=64, blank=True, editable=False)
    bill_date = models.DateField()
    due_date = models.DateField(null=True, blank=True)
    vendor_reference = models.CharField(
        max_length=200, blank=True, help_text="The vendor's own invoice number."
    )
    total = models.DecimalField(**MONEY)
    balance_due = models.DecimalField(**MONEY)
    status = models.CharField(max_length=16, choices=VendorBillStatus.choices, default=VendorBillStatus.OPEN)
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
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["entity", "vendor", "status"], name="vendor_bill_vendor_status"),
            models.Index(fields=["entity", "bill_date"], name="vendor_bill_entity_date"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "number"], condition=~Q(number=""), name="vendor_bill_unique_number"
            ),
            models.CheckConstraint(condition=Q(total__gt=0), name="vendor_bill_total_positive"),
            models.CheckConstraint(
                condition=Q(balance_due__gte=0, balance_due__lte=F("total")),
                name="vendor_bill_balance_within_total",
                violation_error_message="balance_due must stay between 0 and the bill total.",
            ),
            models.CheckConstraint(
                condition=Q(status=VendorBillStatus.OPEN, balance_due=F("total"))
                | Q(status=VendorBillStatus.PARTIALLY_PAID, balance_due__gt=0, balance_due__lt=F("total"))
                | Q(status__in=[VendorBillStatus.PAID, VendorBillStatus.VOID], balance_due=0),
                name="vendor_bill_status_matches_balance",
            ),
            models.CheckConstraint(
                condition=Q(due_date__isnull=True) | Q(due_date__gte=F("bill_date")),
                name="vendor_bill_due_not_before_bill_date",
            ),
            models.CheckConstraint(
                condition=Q(
                    status=VendorBillStatus.VOID, voided_at__isnull=False, void_journal_entry__isnull=False
                )
                | (
                    ~Q(status=VendorBillStatus.VOID)
                    & Q(voided_at__isnull=True, void_journal_entry__isnull=True)
                ),
                name="vendor_bill_void_recorded",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"(unnumbered bill {self.pk})"


class VendorBillLine(models.Model):
    """One line of a bill: amount = quantity × unit price, rounded half up to the cent."""

    bill = models.ForeignKey(VendorBill, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=500)
    quantity = models.DecimalField(max_digits=12, decimal_places=4, default=1)
    unit_price = models.DecimalField(**MONEY)
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["bill", "position"], name="vendor_bill_line_unique_position"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="vendor_bill_line_quantity_positive"),
            models.CheckConstraint(
                condition=Q(unit_price__gte=0), name="vendor_bill_line_price_not_negative"
            ),
            # PostgreSQL's round() goes half away from zero: half up for these non-negative amounts.
            models.CheckConstraint(
                condition=Q(amount=Round(F("quantity") * F("unit_price"), precision=2)),
                name="vendor_bill_line_amount_is_quantity_times_price",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} ({self.amount})"
