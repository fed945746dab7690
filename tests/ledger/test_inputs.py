"""The kit's typed inputs: services take `LineInput`s and `ApplicationInput`s, nothing else."""

import uuid

import pytest

from erp.exceptions import InvalidInput, RuleViolation
from ledger.documents.services import ApplicationInput, LineInput, applications_parse, lines_price


def test_a_line_given_as_a_mapping_is_a_programming_error():
    with pytest.raises(TypeError, match=r"lines\[1\]: expected LineInput, got dict"):
        lines_price([LineInput("Work", "10.00"), {"description": "Work", "unit_price": "10.00"}])


def test_an_application_given_as_a_mapping_is_a_programming_error():
    document_id = uuid.uuid4()
    with pytest.raises(TypeError, match=r"applications\[0\]: expected ApplicationInput, got dict"):
        applications_parse([{"bill_id": document_id, "amount_applied": "1"}], id_param="bill_id")


def test_application_errors_name_the_id_field_the_client_sent():
    document_id = uuid.uuid4()
    given = [ApplicationInput(document_id, "1.00"), ApplicationInput(str(document_id), "2.00")]
    with pytest.raises(InvalidInput) as refusal:
        applications_parse([ApplicationInput("not-a-uuid", "1.00")], id_param="order_id")
    assert (refusal.value.code, refusal.value.param) == ("parameter_invalid", "applications[0].order_id")
    with pytest.raises(RuleViolation) as refusal:
        applications_parse(given, id_param="bill_id")
    assert (refusal.value.code, refusal.value.param) == ("duplicate_document", "applications[1].bill_id")
