"""Vendors: the companies an entity buys from."""

import uuid

from django.db import models
from django.db.models import Q

from erp.models import Entity

MONEY = {"max_digits": 14, "decimal_places": 2}


class Vendor(models.Model):
    """A vendor account of one entity."""

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    entity = models.ForeignKey(Entity, on_delete=models.PROTECT, related_name="vendors")
    name = models.CharField(max_length=200)
    email = models.EmailField(blank=True)
    external_reference = models.CharField(max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [models.CheckConstraint(condition=~Q(name=""), name="vendor_name_required")]

    def __str__(self) -> str:
        return self.name
