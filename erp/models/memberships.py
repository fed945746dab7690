"""Memberships: which staff users work on which entity in the admin, and in what role (docs/access.md)."""

from django.conf import settings
from django.db import models

from erp.models.entities import Entity


class Role(models.TextChoices):
    """What a member may do in an entity's books; each role includes the ones before it."""

    VIEWER = "viewer", "Viewer (reads)"
    ACCOUNTANT = "accountant", "Accountant (reads and writes the books)"
    ADMIN = "admin", "Admin (also API keys and the entity's settings)"


# Each role includes every role of a lower rank.
ROLE_RANK = {Role.VIEWER: 1, Role.ACCOUNTANT: 2, Role.ADMIN: 3}


class Membership(models.Model):
    """A staff user's access to one (live) entity and its test books, with a role."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    entity = models.ForeignKey(Entity, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=20, choices=Role.choices, default=Role.VIEWER)
    created_at = models.DateTimeField(auto_now_add=True)
    granted_by = models.CharField(max_length=150, blank=True, default="", editable=False)

    class Meta:
        ordering = ["entity__name", "user__username"]
        constraints = [
            models.UniqueConstraint(fields=["user", "entity"], name="membership_unique_user_entity"),
            models.CheckConstraint(condition=models.Q(role__in=Role.values), name="membership_known_role"),
        ]

    def __str__(self) -> str:
        return f"{self.user} → {self.entity} ({self.role})"
