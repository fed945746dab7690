"""Factories for platform rows, built through the services like production data."""

import factory

from erp.models import Entity
from erp.services.api_keys import api_key_create
from erp.services.entities import entity_create


class EntityFactory(factory.django.DjangoModelFactory):
    """An entity created by entity_create (so it has its default chart and sequences)."""

    class Meta:
        model = Entity

    name = factory.Sequence(lambda n: f"Company {n}")
    code = factory.Sequence(lambda n: f"company-{n}")
    fiscal_year_start_month = 1

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return entity_create(**kwargs)


def api_key_with_token(*, entity, scopes, name="test key", livemode=True):
    """Create an API key and return (key, token)."""
    return api_key_create(entity=entity, scopes=scopes, name=name, livemode=livemode)
