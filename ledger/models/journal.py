"""Journal entries and their lines: balanced, numbered at commit, immutable once posted.

Double entry is the database's job as much as the code's: single-row rules are named CHECKs here;
"debits equal credits", "numbered at commit" and "posted means immutable" are triggers written in
erp/migrations/0003_ledger_guards.sql (the tables kept their erp_ names when the models moved here).
"""

import uuid

from django.db import models
from django.db.models import Q

from erp.models import Entity
from ledger.models.accounts import Account

MONEY = {"max_digits": 14, "decimal_places": 2}


class JournalEntry(models.Model):
    """A posted, balanced, numbered journal entry; corrected only by a reversing entry."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # No index of its own: journal_entry_source (entity, source_type, source_id) leads with it.
    entity = models.ForeignKey(
        Entity, on_delete=models.PROTECT, related_name="journal_entries", db_index=False
    )
    # Empty only between the insert and the number taken last in the same transaction; a
    # deferred trigger refuses to commit an entry without one.
    number = models.CharField(max_length=64, blank=True, editable=False)
    date = models.DateField()
    memo = models.CharField(max_length=500, blank=True)
    source_type = models.CharField(max_length=40, blank=True, help_text="The document that posted it.")
    source_id = models.CharField(max_length=64, blank=True)
    reversal_of = models.ForeignKey(  # indexed by the unique journal_entry_reversed_once alone
        "self", on_delete=models.PROTECT, null=True, blank=True, related_name="reversals", db_index=False
    )
    posted_at = models.DateTimeField()
    posted_by = models.CharField(max_length=100, blank=True)
    # Its link of the entity's journal chain, written by the database when the entry is numbered
    # (ledger/migrations/0006_journal_chain.sql; docs/audit.md).
    chain_position = models.BigIntegerField(null=True, editable=False)
    chain_hash = models.CharField(max_length=64, null=True, editable=False)  # noqa: DJ001 (NULL: not linked)

    class Meta:
        db_table = "erp_journalentry"
        verbose_name_plural = "journal entries"
        ordering = ["-posted_at"]
        indexes = [models.Index(fields=["entity", "source_type", "source_id"], name="journal_entry_source")]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "number"], condition=~Q(number=""), name="journal_entry_unique_number"
            ),
            # An entry is reversed at most once; the reversal is what "reversed" means.
            models.UniqueConstraint(fields=["reversal_of"], name="journal_entry_reversed_once"),
            models.CheckConstraint(
                condition=Q(reversal_of__isnull=True) | ~Q(reversal_of=models.F("id")),
                name="journal_entry_not_own_reversal",
            ),
        ]

    def __str__(self) -> str:
        return self.number or f"(unnumbered {self.pk})"


class JournalLine(models.Model):
    """One side of a journal entry: exactly one of debit and credit is positive."""

    entry = models.ForeignKey(JournalEntry, on_delete=models.PROTECT, related_name="lines")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="lines")
    debit = models.DecimalField(**MONEY, default=0)
    credit = models.DecimalField(**MONEY, default=0)

    class Meta:
        db_table = "erp_journalline"
        ordering = ["id"]
        constraints = [
            models.CheckConstraint(
                condition=(Q(debit__gt=0) & Q(credit=0)) | (Q(credit__gt=0) & Q(debit=0)),
                name="journal_line_one_side",
                violation_error_message="A journal line is either a debit or a credit, and positive.",
            ),
        ]

    def __str__(self) -> str:
        side = f"DR {self.debit}" if self.debit else f"CR {self.credit}"
        return f"{self.account_id} {side}"
