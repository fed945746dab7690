"""Entities: the companies (tenants) every business row belongs to."""

import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


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
