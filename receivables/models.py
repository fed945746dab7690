"""Receivables state: customers, invoices with lines, and payments applied to invoices.

The services check every rule first for a clear error; the CHECKs below hold them anyway, so a
concurrent writer or a raw UPDATE can never leave a balance below zero or a status that lies.
Child rows (lines, applications) belong to their parent's entity.
"""

import uuid

from django.db import models
from django.db.models import F, Q
from django.db.models.functions import Round

from erp.models import Entity
from ledger.models import JournalEntry

MONEY = {"max_digits": 14, "decimal_places": 2}


class Customer(models.Model):
    """A customer account (the payments seed's `account_id`)."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="customers")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    external_reference = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="customer_name_required")]

    def __str__(self) -> str:
        return self.name


class InvoiceStatus(models.TextChoices):
    OPEN = "open"
    PARTIALLY_PAID = "partially_paid"
    PAID = "paid"
    VOID = "void"


class Invoice(models.Model):
    """A customer invoice: numbered from the `invoice` counter, posted DR receivable / CR revenue."""

    Status = InvoiceStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="invoices")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="invoices")
    # Empty only between the insert and the number taken last in the same transaction.
    number = models.CharField(max_length=64, blank=True, editable=False)
    invoice_date = models.DateField()
    due_date = models.DateField()
    notes = models.TextField(blank=True)
    total = models.DecimalField(**MONEY)
    balance_due = models.DecimalField(**MONEY)
    status = models.CharField(max_length=16, choices=InvoiceStatus.choices, default=InvoiceStatus.OPEN)
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
            models.Index(fields=["entity", "customer", "status"], name="invoice_customer_status"),
            models.Index(fields=["entity", "invoice_date"], name="invoice_entity_date"),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "number"], condition=~Q(number=""), name="invoice_unique_number"
            ),
            models.CheckConstraint(condition=Q(total__gt=0), name="invoice_total_positive"),
            models.CheckConstraint(
                condition=Q(balance_due__gte=0, balance_due__lte=F("total")),
                name="invoice_balance_within_total",
                violation_error_message="balance_due must stay between 0 and the invoice total.",
            ),
            models.CheckConstraint(
                condition=Q(status=InvoiceStatus.OPEN, balance_due=F("total"))
                | Q(status=InvoiceStatus.PARTIALLY_PAID, balance_due__gt=0, balance_due__lt=F("total"))
                | Q(status__in=[InvoiceStatus.PAID, InvoiceStatus.VOID], balance_due=0),
                name="invoice_status_matches_balance",
            ),
            models.CheckConstraint(
                condition=Q(due_date__gte=F("invoice_date")), name="invoice_due_not_before_invoice_date"
            ),
            models.CheckConstraint(
                condition=Q(
                    status=InvoiceStatus.VOID, voided_at__isnull=False, void_journal_entry__isnull=False
                )
                | (
                    ~Q(status=InvoiceStatus.VOID) & Q(voided_at__isnull=True, void_journal_entry__isnull=True)
                ),
                name="invoice_void_recorded",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"(unnumbered invoice {self.pk})"


class InvoiceLine(models.Model):
    """One line of an invoice: amount = quantity × unit price, rounded half up to the cent."""

    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="lines")
    position = models.PositiveSmallIntegerField()
    description = models.CharField(max_length=500)
    quantity = models.DecimalField(max_digits=12, decimal_places=4, default=1)
    unit_price = models.DecimalField(**MONEY)
    amount = models.DecimalField(**MONEY)

    class Meta:
        ordering = ["position"]
        constraints = [
            models.UniqueConstraint(fields=["invoice", "position"], name="invoice_line_unique_position"),
            models.CheckConstraint(condition=Q(quantity__gt=0), name="invoice_line_quantity_positive"),
            models.CheckConstraint(condition=Q(unit_price__gte=0), name="invoice_line_price_not_negative"),
            # PostgreSQL's round() goes half away from zero: half up for these non-negative amounts.
            models.CheckConstraint(
                condition=Q(amount=Round(F("quantity") * F("unit_price"), precision=2)),
                name="invoice_line_amount_is_quantity_times_price",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.description} ({self.amount})"


class PaymentMethod(models.TextChoices):
    CHECK = "check"
    ACH = "ach"
    WIRE = "wire"
    EXTERNAL = "external"
    CASH = "cash"
    CREDIT = "credit"


class PaymentStatus(models.TextChoices):
    APPLIED = "applied"
    VOID = "void"


class Payment(models.Model):
    """A customer payment applied to one or more of the customer's invoices."""

    Method = PaymentMethod
    Status = PaymentStatus

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="payments")
    customer = models.ForeignKey(Customer, on_delete=models.PROTECT, related_name="payments")
    amount = models.DecimalField(**MONEY)
    payment_method = models.CharField(max_length=10, choices=PaymentMethod.choices)
    status = models.CharField(max_length=10, choices=PaymentStatus.choices, default=PaymentStatus.APPLIED)
    payment_date = models.DateField()
    check_number = models.CharField(max_length=50, blank=True)
    check_date = models.DateField(null=True, blank=True)
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

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(condition=Q(amount__gt=0), name="payment_amount_positive"),
            models.CheckConstraint(
                condition=Q(payment_method__in=PaymentMethod.values), name="payment_known_method"
            ),
            models.CheckConstraint(
                condition=Q(payment_method=PaymentMethod.CHECK) | Q(check_number="", check_date__isnull=True),
                name="payment_check_fields_only_for_checks",
            ),
            models.CheckConstraint(
                condition=Q(
                    status=PaymentStatus.VOID, voided_at__isnull=False, void_journal_entry__isnull=False
                )
                | Q(status=PaymentStatus.APPLIED, voided_at__isnull=True, void_journal_entry__isnull=True),
                name="payment_void_recorded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.payment_method} payment of {self.amount} on {self.payment_date}"


class PaymentApplication(models.Model):
    """The part of a payment applied to one invoice; a voided payment keeps its rows, marked by its status."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    payment = models.ForeignKey(Payment, on_delete=models.PROTECT, related_name="applications")
    invoice = models.ForeignKey(Invoice, on_delete=models.PROTECT, related_name="applications")
    amount_applied = models.DecimalField(**MONEY)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["payment", "invoice"], name="payment_application_once_per_invoice"
            ),
            models.CheckConstraint(condition=Q(amount_applied__gt=0), name="payment_application_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.amount_applied} to {self.invoice_id}"
