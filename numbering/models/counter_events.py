"""Counter events: every manual change of a counter, which accounts for the values it skips."""

from django.db import models
from django.db.models import F, Q

from erp.models import Entity
from numbering.models.periods import NumberingPeriod
from numbering.models.sequences import Sequence


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
    # A link of the sequence's hash chain, written by the database (numbering/migrations/0007_chains.sql).
    chain_position = models.BigIntegerField(null=True, editable=False)
    chain_hash = models.CharField(max_length=64, null=True, editable=False)  # noqa: DJ001 (NULL: not linked)

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
