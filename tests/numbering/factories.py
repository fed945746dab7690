"""Factories for numbering rows, built through the services like production data."""

import datetime

import factory
from django.utils import timezone

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


def order_counter_starting_next_year(entity) -> Sequence:
    """An order counter numbered by fiscal year from next January: no period holds today."""
    return sequence_create(
        entity=entity,
        name="Orders",
        counter_type="order",
        format="{fy}-{i4}",
        reset="fiscal_year",
        rollover_enabled_date=datetime.date(timezone.localdate().year + 1, 1, 1),
    )
