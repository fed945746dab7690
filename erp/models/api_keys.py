"""API keys: per entity, scoped, stored as a hash of the token."""

import uuid

from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q

from erp.models.entities import Entity
from erp.scopes import SCOPES


class ApiKey(models.Model):
    """An entity's API key: only a SHA-256 of the token is stored, looked up by its visible prefix."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # A test key belongs to its entity's test books (Entity.live_entity), a live key to the live entity.
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="api_keys")
    name = models.CharField(max_length=100, blank=True)
    # The token's non-secret head, e.g. "ark_live_ent_7QJ2KX4M9TBP": unique, shown in lists.
    prefix = models.CharField(max_length=40, unique=True, editable=False)
    secret_hash = models.CharField(max_length=64, editable=False)
    livemode = models.BooleanField(default=True)
    scopes = ArrayField(models.CharField(max_length=40), default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)
    # Who revoked it (an actor such as "user:alice"); empty while active or when revoked unnamed.
    revoked_by = models.CharField(max_length=150, blank=True, default="", editable=False)

    class Meta:
        verbose_name = "API key"
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(scopes__contained_by=sorted(SCOPES)), name="api_key_known_scopes"
            ),
            models.CheckConstraint(
                condition=Q(secret_hash__regex=r"^[0-9a-f]{64}$"), name="api_key_hash_is_sha256"
            ),
            models.CheckConstraint(
                condition=Q(livemode=True, prefix__startswith="ark_live_ent_")
                | Q(livemode=False, prefix__startswith="ark_test_ent_"),
                name="api_key_prefix_tells_mode",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or 'unnamed'})"

    @property
    def is_active(self) -> bool:
        """Return whether the key can still authenticate."""
        return self.revoked_at is None
