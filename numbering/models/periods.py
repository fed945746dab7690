"""A numbering period: one counter of a sequence, the values taken in one period."""

from django.db import models
from django.db.models import F, Q

from erp.models import Entity
from numbering.models.sequences import Sequence


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
