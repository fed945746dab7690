"""Numbering state: sequences, their per-period counters, the issued-number ledger, counter events.

The database guards the invariants itself (checks, uniques and the triggers of migration 0002): a
counter never goes down, an issued number is never deleted and only its void fields ever change.
"""

import uuid

from django.db import models
from django.db.models import F, Q

from erp.models import Entity
from numbering.rendering import MAX_FIXED_LENGTH, layout_format

# The Arcus counter types; a sequence bound to one numbers that kind of document.
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

    # Structured layout (Intacct); used when `format` is blank.
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
    # Format string (PORTOS); when set it wins over the structured layout.
    format = models.CharField(max_length=MAX_FORMAT_LENGTH, blank=True)

    starting_number = models.BigIntegerField(default=1)
    ending_number = models.BigIntegerField(null=True, blank=True, help_text="Empty: unbounded.")
    starting_sequence = models.CharField(max_length=MAX_ALPHA_LENGTH, blank=True)
    ending_sequence = models.CharField(max_length=MAX_ALPHA_LENGTH, blank=True)

    reset = models.CharField(max_length=13, choices=Reset.choices, default=Reset.NEVER)
    period_unit = models.CharField(max_length=5, choices=PeriodUnit.choices, blank=True)
    period_amount = models.PositiveSmallIntegerField(null=True, blank=True)
    rollover_enabled_date = models.DateField(
        null=True, blank=True, help_text="First date numbered by periods; custom periods start here."
    )
    warning_threshold = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Warn in the admin when this many numbers or fewer remain in the current period.",
    )

    version = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "name"], name="sequence_unique_name"),
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
        return layout_format(
            fixed_prefix=self.fixed_prefix,
            prefix_separator=self.prefix_separator,
            fixed_suffix=self.fixed_suffix,
            suffix_separator=self.suffix_separator,
            fixed_length=self.fixed_length,
            fiscal_year_affix=self.fiscal_year_affix,
            fiscal_year_separator=self.fiscal_year_separator,
        )

    @property
    def is_alpha(self) -> bool:
        """Return whether the number renders as letters."""
        return self.type == self.Type.ALPHA


class NumberingPeriod(models.Model):
    """One counter of a sequence: the values taken in one period (all time, a year, a month…)."""

    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="periods", db_index=False)
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="+")
    start = models.DateField()
    end = models.DateField(help_text="Inclusive.")
    label = models.CharField(max_length=40)
    start_value = models.BigIntegerField()
    # The last value taken (issued or skipped); start_value - 1 while untouched. Only ever grows.
    last_value = models.BigIntegerField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["sequence_id", "start"]  # index order; "sequence" would join for its name
        constraints = [
            models.UniqueConstraint(fields=["sequence", "start"], name="numbering_period_unique_start"),
            # What issued numbers refer to (numbering/0003's period check). Keep it: it also makes
            # entity_id a key column, so the check's KEY SHARE lock blocks a concurrent re-key.
            models.UniqueConstraint(
                fields=["id", "sequence", "entity"], name="numbering_period_unique_identity"
            ),
            models.CheckConstraint(
                condition=Q(last_value__gte=F("start_value") - 1),
                name="numbering_period_last_value_from_start",
            ),
            models.CheckConstraint(condition=Q(end__gte=F("start")), name="numbering_period_end_after_start"),
        ]

    def __str__(self) -> str:
        return f"{self.sequence_id} {self.label}"

    @property
    def next_value(self) -> int:
        """Return the value the next issue would take."""
        return self.last_value + 1


class IssuedNumber(models.Model):
    """The append-only issuance ledger: one row per number ever handed out."""

    class Status(models.TextChoices):
        ISSUED = "issued"
        VOIDED = "voided"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No foreign keys of their own: the statement-level trigger of migration 0003 checks
    # (period_id, sequence_id, entity_id) against the period's identity once per statement, so the
    # database refuses a number whose sequence or entity is not its period's, or a value its
    # period's counter never passed (a row-level key checked it 10,000 times per block).
    entity = models.ForeignKey(
        Entity, on_delete=models.PROTECT, related_name="+", db_index=False, db_constraint=False
    )
    sequence = models.ForeignKey(
        Sequence,
        on_delete=models.PROTECT,
        related_name="issued_numbers",
        db_index=False,
        db_constraint=False,
    )
    period = models.ForeignKey(
        NumberingPeriod,
        on_delete=models.PROTECT,
        related_name="issued_numbers",
        db_index=False,
        db_constraint=False,
    )
    value = models.BigIntegerField()
    number = models.CharField(max_length=150)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.ISSUED)
    document_type = models.CharField(max_length=40, blank=True)
    document_id = models.CharField(max_length=64, blank=True)
    reference = models.CharField(max_length=200, blank=True)
    issued_at = models.DateTimeField()
    issued_by = models.CharField(max_length=100, blank=True)
    void_reason = models.CharField(max_length=500, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.CharField(max_length=100, blank=True)

    class Meta:
        ordering = ["period_id", "value"]  # the (period, value) index: no join, no sort
        constraints = [
            models.UniqueConstraint(fields=["period", "value"], name="issued_number_unique_value"),
            models.UniqueConstraint(fields=["sequence", "number"], name="issued_number_unique_number"),
            models.CheckConstraint(
                condition=(Q(status="issued") & Q(voided_at__isnull=True))
                | (Q(status="voided") & Q(voided_at__isnull=False) & ~Q(void_reason="")),
                name="issued_number_void_fields_consistent",
            ),
        ]
        indexes = [
            models.Index(fields=["entity", "issued_at"], name="issued_number_entity_time"),
            # Partial: block-issued numbers carry no document and cost this index nothing.
            models.Index(
                fields=["entity", "document_type", "document_id"],
                name="issued_number_document",
                condition=~Q(document_id=""),
            ),
        ]

    def __str__(self) -> str:
        return self.number


class CounterEvent(models.Model):
    """A manual change of a counter; values value_before+1..value_after are skipped by it."""

    class Kind(models.TextChoices):
        ADVANCE = "advance"
        EDIT = "edit"
        CREATE = "create"

    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="+")
    sequence = models.ForeignKey(Sequence, on_delete=models.CASCADE, related_name="counter_events")
    period = models.ForeignKey(NumberingPeriod, on_delete=models.CASCADE, related_name="counter_events")
    kind = models.CharField(max_length=7, choices=Kind.choices)
    value_before = models.BigIntegerField()
    value_after = models.BigIntegerField()
    reason = models.CharField(max_length=500)
    actor = models.CharField(max_length=100, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(value_after__gte=F("value_before")), name="counter_event_never_backwards"
            ),
            models.CheckConstraint(condition=~Q(reason=""), name="counter_event_reason_required"),
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.value_before}→{self.value_after}"
