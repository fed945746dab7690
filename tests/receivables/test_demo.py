"""load_demo gives the demo entity customers, invoices and a payment, made through the services."""

import json
from io import StringIO

import pytest
from django.core.management import call_command

from erp.models import Entity
from ledger import selectors

pytestmark = pytest.mark.django_db


def test_load_demo_adds_receivables_once():
    call_command("load_demo", "--json", stdout=StringIO())
    entity = Entity.objects.get(code="demo")
    assert entity.customers.count() == 3
    assert entity.invoices.count() == 5
    payment = entity.payments.get()
    assert (payment.payment_method, payment.applications.count()) == ("check", 2)
    assert sorted(entity.invoices.values_list("status", flat=True)) == [
        "open",
        "open",
        "open",
        "paid",
        "partially_paid",
    ]
    assert selectors.trial_balance(entity=entity).balanced

    out = StringIO()
    call_command("load_demo", "--json", stdout=out)  # a refresh adds nothing twice
    assert json.loads(out.getvalue())["entity_id"] == str(entity.pk)
    assert entity.invoices.count() == 5
