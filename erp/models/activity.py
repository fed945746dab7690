"""The activity log: one append-only, chained row per write made through the API, the admin or a command."""

import re
import uuid

from django.core.serializers.json import DjangoJSONEncoder
from django.db import models
from django.db.models import Q

from erp.models.entities import Entity


class Activity(models.Model):
    """Who changed what, when, through which channel and why (docs/activity.md).

    Rows are only ever inserted: the database refuses UPDATE and DELETE (migration 0009_activity_log.sql).
    At commit, a deferred trigger gives each row its place in its entity's chain: `seq` and `chain_hash` =
    SHA-256 of the previous row's hash and this row's canonical bytes (its entity's ActivityChainHead, 0012).
    """

    class ActorType(models.TextChoices):
        USER = "user"
        API_KEY = "api_key"
        COMMAND = "command"

    class Channel(models.TextChoices):
        API = "api"
        ADMIN = "admin"
        COMMAND = "command"

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="+", db_index=False)
    occurred_at = models.DateTimeField()
    actor_type = models.CharField(max_length=10, choices=ActorType.choices)
    actor_id = models.CharField(max_length=150)
    actor_name = models.CharField(max_length=150)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    action = models.CharField(max_length=80)
    object_type = models.CharField(max_length=40)
    object_id = models.CharField(max_length=64)
    request_id = models.CharField(max_length=150, blank=True)
    reason = models.TextField(blank=True)
    changes = models.JSONField(default=dict, encoder=DjangoJSONEncoder)
    # Set once, at commit, by the chain trigger; null only inside the writing transaction.
    seq = models.BigIntegerField(null=True, editable=False)
    chain_hash = models.CharField(max_length=64, null=True, editable=False)  # noqa: DJ001 (null: not yet linked)

    class Meta:
        db_table = "erp_activity"
        verbose_name = "activity"
        verbose_name_plural = "activity log"
        ordering = ["-occurred_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "seq"], condition=Q(seq__isnull=False), name="activity_chain_position"
            ),
            models.CheckConstraint(
                condition=Q(action__regex=r"^[a-z_]+\.[a-z_]+$"), name="activity_action_form"
            ),
            models.CheckConstraint(
                condition=Q(actor_type__in=["user", "api_key", "command"]), name="activity_actor_type_known"
            ),
            models.CheckConstraint(
                condition=Q(channel__in=["api", "admin", "command"]), name="activity_channel_known"
            ),
            models.CheckConstraint(
                condition=(Q(seq__isnull=True) & Q(chain_hash__isnull=True))
                | (Q(seq__gte=1) & Q(chain_hash__regex=r"^[0-9a-f]{64}$")),
                name="activity_chain_fields_together",
            ),
        ]
        indexes = [
            models.Index(fields=["entity", "-occurred_at", "-id"], name="activity_entity_time"),
            models.Index(fields=["entity", "object_type", "object_id"], name="activity_object"),
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.object_type}:{self.object_id} by {self.actor_name}"


def object_type_of(model: type[models.Model]) -> str:
    """Return a model's name in the log: its class name in snake case (APPayment → ap_payment).

    It is also the document_type the model's issued numbers name (numbering/audit.py).
    """
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])", "_", model.__name__).lower()


class ActivityChainHead(models.Model):
    """The last position and hash of one entity's activity chain (docs/activity.md, "How the log is kept").

    Written only by the database's commit-time link (erp/migrations/0012_activity_chain_head.sql), in the
    statement that appends to the chain; its row lock orders the chain's writers. It is a shortcut, never
    evidence: verification recomputes the chain from the rows themselves.
    """

    entity = models.OneToOneField(Entity, on_delete=models.CASCADE, primary_key=True, related_name="+")
    # 0 and '': a chain with no row yet (every entity has its head from its creation).
    seq = models.BigIntegerField()
    chain_hash = models.CharField(max_length=64, blank=True)

    class Meta:
        db_table = "erp_activity_chainhead"
        constraints = [models.CheckConstraint(condition=Q(seq__gte=0), name="activity_chain_head_seq")]

    def __str__(self) -> str:
        return f"activity:{self.entity_id} @ {self.seq}"
