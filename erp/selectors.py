"""Platform reads."""

from uuid import UUID

from erp.exceptions import InvalidInput
from erp.models import Activity, Entity
from erp.models.activity import object_type_of


def entity_by_id_or_code(value: str) -> Entity:
    """Return the entity named by a UUID or a code (for operators' commands)."""
    try:
        return Entity.objects.get(pk=UUID(str(value)))
    except (ValueError, Entity.DoesNotExist):
        pass
    try:
        return Entity.objects.get(code=str(value).lower())
    except Entity.DoesNotExist:
        raise InvalidInput(
            f"No entity with id or code {value!r}.", code="entity_not_found", param="entity"
        ) from None


def activity_for_entity(*, entity: Entity):
    """Return an entity's activity log, newest first."""
    return Activity.objects.filter(entity=entity)


def activity_of_object(*, model, object_id):
    """Return the activity of one object, newest first (its admin "History")."""
    return Activity.objects.filter(object_type=object_type_of(model), object_id=str(object_id))
