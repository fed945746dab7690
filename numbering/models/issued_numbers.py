"""The issued-number ledger: append-only, one row per number ever handed out."""

import uuid

from django.db import models
from django.db.models import Q

from erp.models import Entity
from numbering.models.periods import NumberingPeriod
from numbering.models.sequences import Sequence


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
    # True for a fiscal-year rollover with no affix: the printed number repeats across fiscal years and
    # is unique within its period only (otherwise it is unique within the sequence).
    unique_in_period = models.BooleanField(default=False, db_default=False)
    status = models.CharField(max_length=6, choices=Status.choices, default=Status.ISSUED)
    document_type = models.CharField(max_length=40, blank=True)
    document_id = models.CharField(max_length=64, blank=True)
    reference = models.CharField(max_length=200, blank=True)
    issued_at = models.DateTimeField()
    issued_by = models.CharField(max_length=100, blank=True)
    void_reason = models.CharField(max_length=500, blank=True)
    voided_at = models.DateTimeField(null=True, blank=True)
    voided_by = models.CharField(max_length=100, blank=True)
    # Links of the sequence's hash chain (docs/audit.md): the issue, then the void. Written by the
    # database in the statement that writes the record (numbering/migrations/0007_chains.sql).
    chain_position = models.BigIntegerField(null=True, editable=False)
    chain_hash = models.CharField(max_length=64, null=True, editable=False)  # noqa: DJ001 (NULL: not linked)
    void_chain_position = models.BigIntegerField(null=True, editable=False)
    void_chain_hash = models.CharField(max_length=64, null=True, editable=False)  # noqa: DJ001

    class Meta:
        ordering = ["period_id", "value"]  # the (period, value) index: no join, no sort
        constraints = [
            models.UniqueConstraint(fields=["period", "value"], name="issued_number_unique_value"),
            models.UniqueConstraint(
                fields=["sequence", "number"],
                condition=Q(unique_in_period=False),
                name="issued_number_unique_number",
            ),
            models.UniqueConstraint(
                fields=["period", "number"],
                condition=Q(unique_in_period=True),
                name="issued_number_unique_number_in_period",
            ),
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
