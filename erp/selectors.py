"""Platform reads."""

from uuid import UUID

from erp.exceptions import InvalidInput
from erp.models import Entity


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
