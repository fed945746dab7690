"""multi-invoice-apply reads a well-formed body without its serializer: the same data, every refusal its own.

`multi_invoice_apply_read` returns what MultiInvoiceApplyInputSerializer validates, or None for anything the
serializer might refuse (which then goes through it): for every body below, what it reads is exactly the
serializer's data, and the common bodies are read.
"""

import datetime
import uuid
from decimal import Decimal

import pytest
from rest_framework import serializers

from receivables.api.payments import MultiInvoiceApplyInputSerializer, multi_invoice_apply_read

ID = "7d1f7e0a-2c1b-4f9e-9d0a-1b2c3d4e5f60"
OTHER = "8e2a8f1b-3d2c-4a0f-8e1b-2c3d4e5f6071"


def body(**changes) -> dict:
    """Return a well-formed body (an ACH payment of two invoices), with `changes` (None values removed)."""
    data = {
        "account_id": str(uuid.uuid4()),
        "payment_method": "ach",
        "amount": "12.60",
        "applications": [
            {"order_id": ID, "amount_applied": "12.50"},
            {"invoice_id": OTHER, "amount_applied": Decimal("0.10")},
        ],
    }
    data.update(changes)
    return {key: value for key, value in data.items() if value is not REMOVED}


REMOVED = object()

READ = [
    body(),
    body(amount=12.6, payment_method="check", check_number="10442", check_date="2026-03-02"),
    body(account_id=ID.upper().replace("-", "")),
    body(amount="12.605"),  # within the $0.005 tolerance: not rounded here
    body(check_number=None, check_date=None, external_reference=None, notes=None, payment_date=None),
    body(check_number="", check_date="", external_reference="", notes=""),
    body(check_number="  10442  ", external_reference=" ref ", notes="two\nlines", payment_date="2026-03-02"),
    body(payment_date="20260302"),
    body(applications=[{"order_id": ID, "invoice_id": ID.upper(), "amount_applied": 1}]),
    body(applications=[]),
]

# Each of these may be refused (or is read differently) by a field: the serializer reads them.
NOT_READ = [
    "not a dict",
    body(colour="blue"),
    body(account_id=REMOVED),
    body(account_id=None),
    body(account_id="not-a-uuid"),
    body(account_id=5),
    body(payment_method="bitcoin"),
    body(payment_method=""),
    body(amount=REMOVED),
    body(amount=None),
    body(amount="0"),
    body(amount=True),
    body(applications=REMOVED),
    body(applications="all"),
    body(applications=[{"order_id": ID, "amount_applied": "1.001"}]),
    body(applications=[{"order_id": ID, "invoice_id": OTHER, "amount_applied": "1"}]),
    body(applications=[{"order_id": ID, "amount_applied": "1", "note": "x"}]),
    body(check_number="10\x0042"),
    body(check_number="a" * 51),
    body(check_number=10442),
    body(external_reference="tab\there"),
    body(notes="bell\x07"),
    body(notes="half \ud800 a pair"),
    body(check_date="2026-02-30"),
    body(check_date=20260302),
    body(payment_date=""),
    body(payment_date="tomorrow"),
]


def serializer_read(data):
    """Return what the serializer validates, or ("refused", errors)."""
    serializer = MultiInvoiceApplyInputSerializer(data=data)
    if not serializer.is_valid():
        return ("refused", serializer.errors)
    return serializer.validated_data


@pytest.mark.parametrize("data", READ)
def test_a_well_formed_body_is_read_as_the_serializer_reads_it(data):
    read = multi_invoice_apply_read(data)
    assert read is not None
    expected = serializer_read(data)
    assert read == expected
    assert list(read) == list(expected)  # the same keys in the same order
    for key, value in read.items():
        assert type(value) is type(expected[key]), key
    for ours, theirs in zip(read["applications"], expected["applications"], strict=True):
        assert {k: type(v) for k, v in ours.items()} == {k: type(v) for k, v in theirs.items()}


@pytest.mark.parametrize("data", NOT_READ, ids=range(len(NOT_READ)))
def test_anything_else_is_left_to_the_serializer(data):
    assert multi_invoice_apply_read(data) is None


def test_the_reading_knows_every_field_of_the_serializer():
    # A field added to the serializer and not to the reading would be silently dropped from its data.
    assert list(multi_invoice_apply_read(body())) == list(MultiInvoiceApplyInputSerializer().fields)


def test_the_serializer_has_no_check_the_reading_would_skip():
    # Its fields are all it checks: a validate_<field>, validate() or validator added to it must be
    # added to the reading too (or the reading dropped).
    serializer = MultiInvoiceApplyInputSerializer()
    own = set(dir(serializer)) - set(dir(serializers.Serializer))
    assert not [name for name in own if name.startswith("validate_")]
    assert type(serializer).validate is serializers.Serializer.validate
    assert serializer.validators == []


def test_dates_are_dates_and_text_is_stripped():
    read = multi_invoice_apply_read(body(check_number=" 7 ", check_date="2026-03-02", payment_method="check"))
    assert read["check_number"] == "7"
    assert read["check_date"] == datetime.date(2026, 3, 2)
