"""Factories for numbering rows, built through the services like production data."""

import factory

from numbering.models import Sequence
from numbering.services import sequence_create
from tests.erp.factories import EntityFactory


class SequenceFactory(factory.django.DjangoModelFactory):
    """A numeric sequence "T0001, T0002…" that never resets, created by sequence_create."""

    class Meta:
        model = Sequence

    entity = factory.SubFactory(EntityFactory)
    name = factory.Sequence(lambda n: f"Test sequence {n}")
    fixed_prefix = "T"
    fixed_length = 4

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        return sequence_create(**kwargs)
