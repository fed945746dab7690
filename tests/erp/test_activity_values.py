"""The values an activity row records: as the caller sees them, whatever their Python type.

`_plain` answers plain JSON values first (most of what a change holds) and lists item by item without a
call each; a value of any other type is recorded as before: money and ids as text, dates in ISO form, a
model by its id, a dict with text keys.
"""

import datetime
import uuid
from decimal import Decimal

import pytest

from erp.models import Activity
from erp.services.activity import activity_record
from receivables.models import PaymentMethod

pytestmark = pytest.mark.django_db

ID = uuid.UUID("7d1f7e0a-2c1b-4f9e-9d0a-1b2c3d4e5f60")
MOMENT = datetime.datetime(2026, 3, 2, 9, 30, tzinfo=datetime.UTC)


def test_every_kind_of_value_is_recorded_as_the_caller_sees_it(entity):
    row = activity_record(
        action="entity.updated",
        obj=entity,
        changes={
            "plain": ["text", 3],
            "flags": [True, None],
            "amount": [None, Decimal("12.50")],
            "ids": [ID, (ID, "x")],
            "dates": [datetime.date(2026, 3, 2), MOMENT],
            "entity": [None, entity],
            "method": [None, PaymentMethod.CHECK],
            "applications": [None, [[str(ID), "0.01"], [ID, Decimal("1")]]],
            "nested": [{1: Decimal("2"), "k": [ID]}, {"a": {"b": MOMENT}}],
        },
    )
    expected = {
        "plain": ["text", 3],
        "flags": [True, None],
        "amount": [None, "12.50"],
        "ids": [str(ID), [str(ID), "x"]],
        "dates": ["2026-03-02", "2026-03-02T09:30:00+00:00"],
        "entity": [None, str(entity.pk)],
        "method": [None, "check"],
        "applications": [None, [[str(ID), "0.01"], [str(ID), "1"]]],
        "nested": [{"1": "2", "k": [str(ID)]}, {"a": {"b": "2026-03-02T09:30:00+00:00"}}],
    }
    assert row.changes == expected
    assert Activity.objects.get(pk=row.pk).changes == expected
