"""issued_number_data: the serializer's fields built once per process give the serializer's own answer."""

import json

import pytest
from rest_framework.renderers import JSONRenderer

from numbering.api.issued_numbers import IssuedNumberSerializer, issued_number_data
from numbering.services import issued_number_void, sequence_create, sequence_issue_next

pytestmark = pytest.mark.django_db


def rendered(data) -> dict:
    return json.loads(JSONRenderer().render(data))


def test_issued_and_voided_numbers_render_as_the_serializer_renders_them(entity):
    sequence = sequence_create(entity=entity, name="Data", format="D-{i4}", reset="never")
    issued = sequence_issue_next(sequence=sequence, reference="r-1", issued_by="test")
    other = sequence_issue_next(sequence=sequence, reference="r-2", issued_by="test")
    voided = issued_number_void(issued_number=other, reason="typo", voided_by="test")
    for number in (issued, voided, issued):  # the shared fields serve one number after another
        assert rendered(issued_number_data(number)) == rendered(IssuedNumberSerializer(number).data)
    assert rendered(issued_number_data(voided))["void_reason"] == "typo"
    assert rendered(issued_number_data(issued))["object"] == "issued_number"
