"""The chart of accounts: one entity's accounts, addressed by code."""

import uuid

from django.db import models
from django.db.models import Q

from erp.models import Entity


class AccountType(models.TextChoices):
    ASSET = "asset"
    LIABILITY = "liability"
    EQUITY = "equity"
    INCOME = "income"
    EXPENSE = "expense"


class Account(models.Model):
    """An account of an entity's chart, addressed by its code (e.g. accounts_receivable)."""

    Type = AccountType

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    # The (entity, code) unique index serves lookups by entity: no separate FK index.
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="accounts", db_index=False)
    code = models.SlugField(max_length=40, allow_unicode=False)
    name = models.CharField(max_length=200)
    type = models.CharField(max_length=10, choices=AccountType.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "erp_account"
        ordering = ["code"]
        constraints = [
            models.UniqueConstraint(fields=["entity", "code"], name="account_unique_code"),
            models.CheckConstraint(condition=Q(type__in=AccountType.values), name="account_known_type"),
        ]

    def __str__(self) -> str:
        return f"{self.code} — {self.name}"
