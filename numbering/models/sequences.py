"""A document sequence: its layout (structured or a format string), range, reset rule and version."""

import datetime
import secrets
import uuid

from django.db import models
from django.db.models import F, Q

from erp.models import Entity
from numbering.rendering import MAX_FIXED_LENGTH, layout_format

# The Arcus counter types (docs/contracts.md); a sequence bound to one numbers that kind of document.
COUNTER_TYPES = [
    "order",
    "invoice",
    "quote",
    "po",
    "rma",
    "journal",
    "account",
    "vendor_bill",
    "ap_payment",
    "check",
    "transfer",
    "vendor_return",
    "refund",
    "inventory_txn",
    "work_order",
    "fixed_asset",
    "lease",
    "lease_payment",
    "deposit",
    "vendor_credit",
    "payment_batch",
]

COUNTER_TYPE_LABELS = {"po": "Purchase order", "rma": "RMA", "ap_payment": "AP payment"}

MAX_PREFIX_LENGTH = 20
MAX_SEPARATOR_LENGTH = 5
MAX_FORMAT_LENGTH = 100
MAX_ALPHA_LENGTH = 16
MAX_PERIOD_AMOUNT = {"month": 120, "year": 10}

# The kinds of stock transfer a PORTOS numbering serves (docs/dialects.md).
STOCK_TRANSFER_TYPES = ["Outcome", "Transfer", "Correction", "Invoice"]
PORTOS_ID_PATTERN = r"^[0-9a-f]{24}$"
KEY_SEQUENCE = "numbering_sequence_key_seq"


def new_portos_id() -> str:
    """Return a fresh PORTOS id: 24 lowercase hex characters, like a MongoDB ObjectId."""
    return secrets.token_hex(12)


class NextKey(models.Func):
    """The database's next sequence key (Intacct `key`), drawn when the row is inserted."""

    template = f"nextval('{KEY_SEQUENCE}')"
    output_field = models.BigIntegerField()


class Sequence(models.Model):
    """A document sequence of one entity: its layout, range and reset rule."""

    class Status(models.TextChoices):
        ACTIVE = "active"
        INACTIVE = "inactive"

    class Type(models.TextChoices):
        NUMERIC = "numeric"
        ALPHA = "alpha"

    class FiscalYearAffix(models.TextChoices):
        NONE = "none"
        PREFIX = "prefix"
        SUFFIX = "suffix"

    class Reset(models.TextChoices):
        NEVER = "never"
        FISCAL_YEAR = "fiscal_year"
        CALENDAR_YEAR = "calendar_year"
        MONTH = "month"
        CUSTOM = "custom"

    class PeriodUnit(models.TextChoices):
        MONTH = "month"
        YEAR = "year"

    CounterType = models.TextChoices(
        "CounterType",
        [
            (c.upper(), (c, COUNTER_TYPE_LABELS.get(c, c.replace("_", " ").capitalize())))
            for c in COUNTER_TYPES
        ],
    )

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # Intacct's `key`: short digits, assigned by the database, never reused or changed.
    key = models.BigIntegerField(unique=True, editable=False, db_default=NextKey())
    # PORTOS's `id`: given by the client or generated; unique per entity.
    portos_id = models.CharField("PORTOS id", max_length=24, default=new_portos_id)
    stock_transfer_type = models.CharField(
        max_length=10,
        choices=[(t, t) for t in STOCK_TRANSFER_TYPES],
        blank=True,
        help_text="The kind of stock transfer this sequence numbers (PORTOS `type`).",
    )
    # The (entity, name) unique index serves lookups by entity: no separate FK index.
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="sequences", db_index=False)
    name = models.CharField(max_length=100)
    print_title = models.CharField(max_length=100, blank=True)
    # NULL, not "": the conditional unique constraint then binds only sequences that have a type.
    counter_type = models.CharField(  # noqa: DJ001
        max_length=20, choices=CounterType.choices, null=True, blank=True
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.ACTIVE)
    type = models.CharField(max_length=7, choices=Type.choices, default=Type.NUMERIC)

    # Structured layout (Intacct, docs/contracts.md); used when `format` is blank.
    fixed_prefix = models.CharField(max_length=MAX_PREFIX_LENGTH, blank=True)
    prefix_separator = models.CharField(max_length=MAX_SEPARATOR_LENGTH, blank=True)
    fixed_suffix = models.CharField(max_length=MAX_PREFIX_LENGTH, blank=True)
    suffix_separator = models.CharField(max_length=MAX_SEPARATOR_LENGTH, blank=True)
    fixed_length = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Minimum digits (numeric, zero padded) or letters (alpha)."
    )
    fiscal_year_affix = models.CharField(
        max_length=6, choices=FiscalYearAffix.choices, default=FiscalYearAffix.NONE
    )
    fiscal_year_separator = models.CharField(max_length=MAX_SEPARATOR_LENGTH, blank=True)
    # Format string (PORTOS, docs/contracts.md); when set it wins over the structured layout.
    format = models.CharField(max_length=MAX_FORMAT_LENGTH, blank=True)

    starting_number = models.BigIntegerField(default=1)
    ending_number = models.BigIntegerField(null=True, blank=True, help_text="Empty: unbounded.")
    starting_sequence = models.CharField(max_length=MAX_ALPHA_LENGTH, blank=True)
    ending_sequence = models.CharField(max_length=MAX_ALPHA_LENGTH, blank=True)

    reset = models.CharField(max_length=13, choices=Reset.choices, default=Reset.NEVER)
    period_unit = models.CharField(max_length=5, choices=PeriodUnit.choices, blank=True)
    period_amount = models.PositiveSmallIntegerField(null=True, blank=True)
    # Read-only for callers: the services set it the first time rollover (fiscal-year reset) is enabled.
    rollover_enabled_date = models.DateField(
        null=True, blank=True, editable=False, help_text="When fiscal-year rollover was first enabled."
    )
    reset_from = models.DateField(
        null=True,
        blank=True,
        editable=False,
        help_text="Documents dated before this keep the counter from before the reset rule.",
    )
    period_anchor = models.DateField(
        null=True, blank=True, help_text="Custom periods are counted from this date (default: 1 January)."
    )
    warning_threshold = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Warn in the admin when this many numbers or fewer remain in the current period.",
    )

    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.CharField(max_length=100, blank=True, editable=False)
    modified_by = models.CharField(max_length=100, blank=True, editable=False)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "name"], name="sequence_unique_name"),
            models.UniqueConstraint(fields=["entity", "portos_id"], name="sequence_unique_portos_id"),
            models.CheckConstraint(
                condition=Q(portos_id__regex=PORTOS_ID_PATTERN), name="sequence_portos_id_format"
            ),
            models.CheckConstraint(
                condition=Q(stock_transfer_type__in=["", *STOCK_TRANSFER_TYPES]),
                name="sequence_stock_transfer_type_valid",
            ),
            models.UniqueConstraint(
                fields=["entity", "counter_type"],
                condition=Q(counter_type__isnull=False),
                name="sequence_unique_counter_type",
            ),
            models.CheckConstraint(
                condition=Q(fixed_length__isnull=True)
                | Q(fixed_length__gte=1, fixed_length__lte=MAX_FIXED_LENGTH),
                name="sequence_fixed_length_range",
            ),
            models.CheckConstraint(
                condition=Q(starting_number__gte=0), name="sequence_starting_number_non_negative"
            ),
            models.CheckConstraint(
                condition=Q(ending_number__isnull=True) | Q(ending_number__gte=F("starting_number")),
                name="sequence_ending_after_starting",
            ),
            models.CheckConstraint(
                condition=~Q(reset="custom") | Q(period_unit__in=["month", "year"], period_amount__gte=1),
                name="sequence_custom_reset_has_period",
            ),
            models.CheckConstraint(
                condition=~Q(type="alpha") | Q(starting_number__gte=1),
                name="sequence_alpha_starts_at_a",
            ),
            models.CheckConstraint(condition=Q(version__gte=1), name="sequence_version_positive"),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def effective_format(self) -> str:
        """Return the format string this sequence renders with (the structured layout converted)."""
        if self.format:
            return self.format
        return self._layout_format(self.fiscal_year_affix)

    def format_for_period(self, start: datetime.date) -> str:
        """Return the format a period's numbers print with.

        The old, never-reset counter a sequence keeps for documents dated before reset_from prints as it
        did before rollover: without the fiscal-year affix, so its numbers never repeat the new ones.
        """
        if self.reset_from is not None and start == datetime.date.min and not self.format:
            return self._layout_format(self.FiscalYearAffix.NONE)
        return self.effective_format

    def _layout_format(self, fiscal_year_affix: str) -> str:
        return layout_format(
            fixed_prefix=self.fixed_prefix,
            prefix_separator=self.prefix_separator,
            fixed_suffix=self.fixed_suffix,
            suffix_separator=self.suffix_separator,
            fixed_length=self.fixed_length,
            fiscal_year_affix=fiscal_year_affix,
            fiscal_year_separator=self.fiscal_year_separator,
        )

    @property
    def numbers_repeat_across_periods(self) -> bool:
        """Return whether printed numbers are unique per fiscal year only (rollover with no affix)."""
        return (
            self.reset == self.Reset.FISCAL_YEAR
            and not self.format
            and self.fiscal_year_affix == self.FiscalYearAffix.NONE
        )

    @property
    def is_alpha(self) -> bool:
        """Return whether the number renders as letters."""
        return self.type == self.Type.ALPHA
