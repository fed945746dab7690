"""Vendor credits: what a vendor owes back, spent by AP payments until used up, voided or expired."""

from django.db import models
from django.db.models import F, Q

from ledger.documents.models import MONEY, VOID_RECORDED, PostedRow, choice_constraint, entity_reference
from payables.models.checks import COMMIT_CHECKS
from payables.models.vendors import Vendor


class VendorCreditStatus(models.TextChoices):
    OPEN = "open"
    PARTIALLY_APPLIED = "partially_applied"
    APPLIED = "applied"
    VOIDED = "voided"
    EXPIRED = "expired"


class VendorCreditSourceType(models.TextChoices):
    MANUAL = "manual"
    VENDOR_RETURN = "vendor_return"
    PRICE_ADJUSTMENT = "price_adjustment"
    REBATE = "rebate"
    DUPLICATE_PAYMENT = "duplicate_payment"
    OTHER = "other"


# An expiry is recorded by when it happened and the entry that wrote the remainder off.
EXPIRY_RECORDED = {"expired_at__isnull": False, "expiry_journal_entry__isnull": False}

# Statuses whose remaining amount an AP payment may still spend (if not past expires_at).
USABLE_STATUSES = (VendorCreditStatus.OPEN, VendorCreditStatus.PARTIALLY_APPLIED)


def _status_matches_amounts() -> Q:
    """Return the rule that a credit's status follows its amounts, and a void or expiry is recorded."""
    status = VendorCreditStatus
    return (
        Q(status=status.OPEN, remaining_amount=F("amount"), expired_amount=0)
        | Q(
            status=status.PARTIALLY_APPLIED,
            remaining_amount__gt=0,
            remaining_amount__lt=F("amount"),
            expired_amount=0,
        )
        | Q(status=status.APPLIED, remaining_amount=0, expired_amount=0)
        | Q(status=status.VOIDED, remaining_amount=0, expired_amount=0, **VOID_RECORDED)
        | Q(status=status.EXPIRED, remaining_amount=0, expired_amount__gt=0, **EXPIRY_RECORDED)
    )


class VendorCredit(PostedRow):
    """A credit from a vendor: posted DR vendor_returns_receivable / CR vendor_credits.

    `remaining_amount` is what payments can still spend: a voided or expired credit has none left,
    and `expired_amount` keeps what was written off when it expired.
    """

    commit_checks = COMMIT_CHECKS

    Status = VendorCreditStatus
    SourceType = VendorCreditSourceType

    entity = entity_reference("vendor_credits")
    vendor = models.ForeignKey(Vendor, on_delete=models.PROTECT, related_name="credits")
    # Empty only between the insert and the number taken last in the same transaction.
    credit_number = models.CharField(max_length=64, blank=True, editable=False)
    amount = models.DecimalField(**MONEY)
    remaining_amount = models.DecimalField(**MONEY)
    expired_amount = models.DecimalField(**MONEY, default=0)
    status = models.CharField(
        max_length=20, choices=VendorCreditStatus.choices, default=VendorCreditStatus.OPEN
    )
    reason = models.CharField(max_length=500, blank=True)
    source_type = models.CharField(
        max_length=20, choices=VendorCreditSourceType.choices, default=VendorCreditSourceType.MANUAL
    )
    source_id = models.UUIDField(null=True, blank=True, help_text="The vendor return or bill it came from.")
    expires_at = models.DateTimeField(null=True, blank=True, help_text="Empty: never expires.")
    notes = models.TextField(blank=True)
    expiry_journal_entry = models.ForeignKey(
        "ledger.JournalEntry", on_delete=models.PROTECT, related_name="+", null=True, blank=True
    )
    expired_at = models.DateTimeField(null=True, blank=True)

    class Meta(PostedRow.Meta):
        indexes = [
            models.Index(fields=["entity", "vendor", "status"], name="vendor_credit_vendor_status"),
            # The expiry sweep reads only the credits that can still expire.
            models.Index(
                fields=["expires_at"],
                condition=Q(status__in=USABLE_STATUSES, expires_at__isnull=False),
                name="vendor_credit_expiring",
            ),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "credit_number"],
                condition=~Q(credit_number=""),
                name="vendor_credit_unique_number",
            ),
            # One credit per (entity, source_type, source_id): recording the same source again finds it.
            models.UniqueConstraint(
                fields=["entity", "source_type", "source_id"],
                condition=Q(source_id__isnull=False),
                name="vendor_credit_unique_source",
            ),
            models.CheckConstraint(condition=Q(amount__gt=0), name="vendor_credit_amount_positive"),
            models.CheckConstraint(
                condition=Q(remaining_amount__gte=0, remaining_amount__lte=F("amount")),
                name="vendor_credit_remaining_within_amount",
                violation_error_message="remaining_amount must stay between 0 and the credit amount.",
            ),
            models.CheckConstraint(
                condition=Q(expired_amount__gte=0, expired_amount__lte=F("amount")),
                name="vendor_credit_expired_within_amount",
            ),
            choice_constraint("source_type", VendorCreditSourceType, name="vendor_credit_known_source_type"),
            models.CheckConstraint(
                condition=_status_matches_amounts(), name="vendor_credit_status_matches_amounts"
            ),
        ]

    def __str__(self) -> str:
        return self.credit_number or f"(unnumbered credit {self.pk})"
