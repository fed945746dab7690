"""Platform state: entities (tenants), API keys and idempotency records."""

import uuid

from django.contrib.postgres.fields import ArrayField
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from erp.scopes import SCOPES


class Entity(models.Model):
    """A company: every business row belongs to exactly one entity."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    code = models.SlugField(max_length=40, unique=True, help_text="Short slug, e.g. acme-us.")
    base_currency = models.CharField(max_length=3, default="USD")
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    vendor_credit_expiry_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Default expiry of vendor credits; empty means never."
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "entities"
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(fiscal_year_start_month__gte=1, fiscal_year_start_month__lte=12),
                name="entity_fiscal_year_start_month_range",
            ),
            models.CheckConstraint(
                condition=Q(base_currency__regex=r"^[A-Z]{3}$"),
                name="entity_base_currency_iso",
                violation_error_message="base_currency must be a three-letter ISO 4217 code.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.code})"


class ApiKey(models.Model):
    """An entity's API key: only a SHA-256 of the token is stored, looked up by its visible prefix."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
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
        ]

    def __str__(self) -> str:
        return f"{self.prefix}… ({self.name or 'unnamed'})"

    @property
    def is_active(self) -> bool:
        """Return whether the key can still authenticate."""
        return self.revoked_at is None


class IdempotencyRecord(models.Model):
    """The stored outcome of a request sent with an Idempotency-Key, replayed for 24 hours."""

    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=500)
    request_fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField()
    response_body = models.TextField()
    created_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["entity", "method", "path", "key"], name="idempotency_record_unique_key"
            ),
            models.CheckConstraint(condition=Q(status_code__lt=500), name="idempotency_record_never_5xx"),
        ]

    def __str__(self) -> str:
        return f"{self.method} {self.path} [{self.key}]"
