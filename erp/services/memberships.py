"""Memberships: give a staff user a role on an entity (and its test books), change it, take it away."""

import logging

from django.db import transaction

from erp.exceptions import InvalidInput
from erp.models import Entity, Membership, Role
from erp.services.activity import activity_record
from erp.services.modes import live_entity_of

logger = logging.getLogger("folio.access")


def _checked_role(role) -> str:
    if role not in Role.values:
        raise InvalidInput(
            f"role must be one of {', '.join(Role.values)}.", code="invalid_role", param="role"
        )
    return role


@transaction.atomic
def membership_grant(*, user, entity: Entity, role: str, granted_by: str = "") -> Membership:
    """Give `user` `role` on `entity` (its live entity, given test books); a new grant changes the role."""
    role = _checked_role(role)
    if user is None or not user.is_staff:
        raise InvalidInput(
            "Only staff users sign in to the admin: make the user staff first.",
            code="user_not_staff",
            param="user",
        )
    live = live_entity_of(entity)
    membership, created = Membership.objects.select_for_update().get_or_create(
        user=user, entity=live, defaults={"role": role, "granted_by": granted_by}
    )
    if created:
        activity_record(action="membership.created", obj=membership, changes={"role": [None, role]})
    elif membership.role != role:
        before = membership.role
        membership.role, membership.granted_by = role, granted_by
        membership.save(update_fields=["role", "granted_by"])
        activity_record(action="membership.updated", obj=membership, changes={"role": [before, role]})
    logger.info("membership: %s is %s of %s (by %s)", user, role, live.code, granted_by or "unnamed actor")
    return membership


@transaction.atomic
def membership_revoke(*, membership: Membership, revoked_by: str = "") -> None:
    """Take a user's access to an entity away (their access ends with their next request)."""
    activity_record(action="membership.deleted", obj=membership, changes={"role": [membership.role, None]})
    Membership.objects.filter(pk=membership.pk).delete()
    logger.info(
        "membership revoked: %s of entity %s (by %s)",
        membership.user_id,
        membership.entity_id,
        revoked_by or "unnamed actor",
    )
