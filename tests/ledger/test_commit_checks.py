"""Each ledger names every check its database runs at commit, so they can run before the journal lock."""

import pytest
from django.db import connection, transaction

from ledger.documents.services import commit_checks_run
from payables.models import APPayment, VendorBill, VendorCredit
from receivables.models import Invoice, Payment
from tests.helpers import sql

pytestmark = pytest.mark.django_db

LEDGERS = {"receivables": [Invoice, Payment], "payables": [VendorBill, VendorCredit, APPayment]}


def deferred_triggers_of(app_label: str) -> set[str]:
    """Return the names of the deferrable constraint triggers on an app's tables."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT t.tgname FROM pg_trigger AS t JOIN pg_class AS c ON c.oid = t.tgrelid"
            " WHERE t.tgdeferrable AND NOT t.tgisinternal AND c.relname LIKE %s",
            [f"{app_label}\\_%"],
        )
        return {name for (name,) in cursor.fetchall()}


@pytest.mark.parametrize("app_label", sorted(LEDGERS))
def test_every_deferred_check_of_a_ledger_is_named_by_its_documents(app_label):
    triggers = deferred_triggers_of(app_label)
    assert triggers, f"{app_label} has no deferred checks"
    for model in LEDGERS[app_label]:
        assert set(model.commit_checks) == triggers, model.__name__


@pytest.mark.parametrize("model", [model for models in LEDGERS.values() for model in models])
def test_the_named_checks_exist(model):
    with transaction.atomic():
        commit_checks_run(model)  # SET CONSTRAINTS refuses a name no trigger has
        transaction.set_rollback(True)


def test_the_checks_are_deferred_again_after_running(invoices):
    invoice = invoices[0]
    with transaction.atomic():
        commit_checks_run(Invoice)
        # Left immediate, the first statement would be refused at its end; deferred, the commit sees
        # the invoice as it was.
        sql("UPDATE receivables_invoice SET balance_due = 0, status = 'paid' WHERE id = %s", [invoice.pk])
        sql("UPDATE receivables_invoice SET balance_due = total, status = 'open' WHERE id = %s", [invoice.pk])
        sql("SET CONSTRAINTS ALL IMMEDIATE")
    invoice.refresh_from_db()
    assert invoice.balance_due == invoice.total
