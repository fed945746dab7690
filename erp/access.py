"""Who may see and act on which entity in the admin and the pages beside it (docs/access.md).

A staff user works on the entities they are a member of (:class:`erp.models.Membership`), in the
role the membership gives; a membership of a live entity covers its test books too. A superuser
works on every entity. What a user may do is both: the model permission Django grants (their
groups) *and* a role on the row's entity at least the one the page needs (a viewer reads, an
accountant writes the books, an admin also manages API keys and the entity's settings).

Use these everywhere a page or a report lists rows or offers choices:

- ``entities_for(user, role=Role.VIEWER)`` — the entities (live and test books) ``user`` holds
  ``role`` or more on: a queryset of Entity.
- ``restrict(queryset, user, path="entity", role=Role.VIEWER)`` — ``queryset`` narrowed to rows whose
  entity (reached by the lookup ``path``; ``""`` for Entity itself) is one of those.
- ``may(user, entity, role=Role.VIEWER)`` — whether ``user`` holds ``role`` or more on ``entity``.
"""

from django.core.exceptions import FieldDoesNotExist
from django.db.models import Q, QuerySet

from erp.models import Entity, Membership, Role
from erp.models.memberships import ROLE_RANK

__all__ = ["Role", "entities_for", "entity_path_of", "may", "restrict", "roles_at_least"]


def roles_at_least(role: str) -> list[str]:
    """Return the roles that include `role` (itself and those above it)."""
    rank = ROLE_RANK[Role(role)]
    return [name for name, level in ROLE_RANK.items() if level >= rank]


def _unrestricted(user) -> bool:
    return bool(user.is_active and user.is_superuser)


def entities_for(user, role: str = Role.VIEWER) -> QuerySet:
    """Return the entities `user` may work on with at least `role`: their live entities and test books."""
    if user is None or not user.is_authenticated or not user.is_active:
        return Entity.objects.none()
    if _unrestricted(user):
        return Entity.objects.all()
    live = Membership.objects.filter(user=user, role__in=roles_at_least(role)).values("entity_id")
    return Entity.objects.filter(Q(pk__in=live) | Q(live_entity__in=live))


def restrict(queryset: QuerySet, user, path: str = "entity", role: str = Role.VIEWER) -> QuerySet:
    """Return `queryset` narrowed to rows of the entities `user` may work on with at least `role`."""
    if user is not None and _unrestricted(user):
        return queryset
    return queryset.filter(**{f"{path}__in" if path else "pk__in": entities_for(user, role)})


def may(user, entity, role: str = Role.VIEWER) -> bool:
    """Tell whether `user` holds at least `role` on `entity` (a live entity or test books)."""
    if user is None or not user.is_authenticated or not user.is_active:
        return False
    if _unrestricted(user):
        return True
    live_id = entity.live_entity_id or entity.pk
    return Membership.objects.filter(user=user, entity_id=live_id, role__in=roles_at_least(role)).exists()


def entity_path_of(model) -> str | None:
    """Return the lookup from `model` to its entity (``""`` for Entity itself); None if it has none."""
    if model is Entity:
        return ""
    try:
        field = model._meta.get_field("entity")
    except FieldDoesNotExist:  # a model of no entity (users, login attempts)
        return None
    return "entity" if getattr(field, "related_model", None) is Entity else None
