"""Entities: the companies (tenants) every business row belongs to."""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

# A test-books entity is coded like its live entity plus this (a live code never holds a dot).
TEST_CODE_SUFFIX = ".test"


class Entity(models.Model):
    """A company: every business row belongs to exactly one entity."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    name = models.CharField(max_length=200)
    # A live entity's code is 1–40 characters; its test books' is the same plus TEST_CODE_SUFFIX.
    code = models.SlugField(max_length=45, unique=True, help_text="Short slug, e.g. acme-us.")
    base_currency = models.CharField(max_length=3, default="USD")
    fiscal_year_start_month = models.PositiveSmallIntegerField(
        default=1, validators=[MinValueValidator(1), MaxValueValidator(12)]
    )
    vendor_credit_expiry_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Default expiry of vendor credits; empty means never."
    )
    # Closed periods: nothing is posted dated on or before it (docs/posting.md, "Closed periods").
    lock_date = models.DateField(
        null=True, blank=True, help_text="Books closed through this date; empty means no period is closed."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    # The public half of the entity's Ed25519 key that signs its ledger checkpoints (hex; docs/audit.md).
    ledger_public_key = models.CharField(max_length=64, blank=True, editable=False)
    # Test mode (docs/api.md, "Test mode"): a live entity's test books are a hidden entity of their own,
    # so every query filtered by entity keeps test and live data apart. Both fields are fixed at creation.
    livemode = models.BooleanField(default=True, editable=False)
    live_entity = models.OneToOneField(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="test_books", editable=False
    )

    class Meta:
        verbose_name_plural = "entities"
        ordering = ["name"]
        permissions = [("set_lock_date", "Can set the lock date (close periods)")]
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
            models.CheckConstraint(
                condition=Q(livemode=True, live_entity__isnull=True)
                | Q(livemode=False, live_entity__isnull=False),
                name="entity_test_books_name_their_live_entity",
            ),
        ]

    def __str__(self) -> str:
        if not self.livemode:
            return f"{self.name} (test)"
        return f"{self.name} ({self.code})"

    @property
    def public_id(self):
        """Return the id the API shows for this entity: test books answer to their live entity's id."""
        return self.live_entity_id or self.id
