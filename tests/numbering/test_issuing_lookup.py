"""Issuing reads its sequence by a statement built once per process: same answers as the ORM's lookup."""

import uuid

import pytest

from numbering.models import IssuedNumber, Sequence
from numbering.selectors import sequence_of_counter_type, sequence_of_entity
from numbering.services import sequence_create

pytestmark = pytest.mark.django_db

BASE = "/v1/document-sequences"
ACTIONS = [("generate-next-value", {}), ("generate-next-values", {"count": 2})]


@pytest.mark.parametrize(("action", "body"), ACTIONS)
def test_issuing_finds_only_the_callers_own_sequence(api, entity, other_entity, action, body):
    ours = sequence_create(entity=entity, name="Ours", format="O-{i4}", reset="never")
    theirs = sequence_create(entity=other_entity, name="Theirs", format="T-{i4}", reset="never")
    key = {"HTTP_IDEMPOTENCY_KEY": uuid.uuid4().hex}
    assert api.post(f"{BASE}/{ours.pk}/{action}", body, format="json", **key).status_code == 201
    response = api.post(f"{BASE}/{theirs.pk}/{action}", body, format="json")
    assert response.status_code == 404
    assert response.json()["error"]["code"] == "not_found"
    assert not IssuedNumber.objects.filter(sequence=theirs).exists()


@pytest.mark.parametrize("pk", [str(uuid.uuid4()), "-" * 36, "0" * 36])
def test_an_unknown_or_malformed_id_is_404(api, pk):
    assert api.post(f"{BASE}/{pk}/generate-next-value", {}, format="json").status_code == 404


def test_the_lookup_reads_what_the_orm_reads(entity, other_entity):
    sequence = sequence_create(entity=entity, name="Same", format="S-{i4}", reset="never")
    found = sequence_of_entity(entity=entity, pk=str(sequence.pk))
    fields = [field.attname for field in type(sequence)._meta.concrete_fields]
    assert [getattr(found, name) for name in fields] == [getattr(sequence, name) for name in fields]
    assert found._state.adding is False
    assert sequence_of_entity(entity=other_entity, pk=sequence.pk) is None


def test_a_counter_types_sequence_is_the_entitys_own(entity, other_entity):
    ours = Sequence.objects.get(entity=entity, counter_type="vendor_bill")
    found = sequence_of_counter_type(entity=entity, counter_type="vendor_bill")
    fields = [field.attname for field in Sequence._meta.concrete_fields]
    assert [getattr(found, name) for name in fields] == [getattr(ours, name) for name in fields]
    theirs = sequence_of_counter_type(entity=other_entity, counter_type="vendor_bill")
    assert theirs is not None and theirs.pk != ours.pk
    assert sequence_of_counter_type(entity=entity, counter_type="rma") is None
