"""Customers and vendors: one way to create, update and find them, each ledger with its own table."""

from django.db import models

from erp.exceptions import NotFound
from erp.models import Entity
from erp.rows import rows_where
from erp.services.activity import activity_record, changes_between, created, fields_of, object_type_of
from erp.services.contact_fields import checked_email, checked_name, checked_reference
from ledger.documents.services.inputs import uuid_parse

_FIELDS = ("name", "email", "external_reference")


def party_create[P: models.Model](
    model: type[P], *, entity: Entity, name: str, email: str = "", external_reference: str = ""
) -> P:
    """Create a customer or vendor account."""
    party = model.objects.create(
        entity=entity,
        name=checked_name(name, noun=model._meta.verbose_name),
        email=checked_email(email),
        external_reference=checked_reference(external_reference),
    )
    activity_record(action=f"{object_type_of(model)}.created", obj=party, changes=created(party, _FIELDS))
    return party


def party_update[P: models.Model](
    party: P, *, name: str | None = None, email: str | None = None, external_reference: str | None = None
) -> P:
    """Change the given fields of an account; None leaves a field as it is, "" clears email and reference."""
    locked = type(party).objects.select_for_update(of=("self",)).get(pk=party.pk)
    before = fields_of(locked, _FIELDS)
    if name is not None:
        locked.name = checked_name(name, noun=type(party)._meta.verbose_name)
    if email is not None:
        locked.email = checked_email(email)
    if external_reference is not None:
        locked.external_reference = checked_reference(external_reference)
    locked.save(update_fields=["name", "email", "external_reference", "updated_at"])
    changes = changes_between(before, fields_of(locked, _FIELDS))
    activity_record(action=f"{object_type_of(type(party))}.updated", obj=locked, changes=changes)
    return locked


def party_of[P: models.Model](model: type[P], *, entity: Entity, party_id, param: str) -> P:
    """Return the entity's customer or vendor with this id; another entity's does not exist here (404)."""
    pk = uuid_parse(party_id, param=param)
    found = rows_where(model, "entity_id = %s AND id = %s", [entity.pk, pk])  # every payment starts here
    party = found[0] if found else None
    if party is None:
        raise NotFound(
            f"No {model._meta.verbose_name} {pk} in this entity.", code="resource_missing", param=param
        )
    return party
