"""Admin lists with a date hierarchy answer every drill-down level (their date queries carry parameters)."""

import datetime

import pytest
from django.contrib.auth import get_user_model

from tests.receivables.factories import InvoiceFactory

pytestmark = pytest.mark.django_db

LISTS = {
    "/admin/erp/activity/": "occurred_at",
    "/admin/numbering/issuednumber/": "issued_at",
    "/admin/receivables/invoice/": "invoice_date",
    "/admin/payables/vendorbill/": "bill_date",
    "/admin/ledger/journalentry/": "date",
}


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("drill", "drill@example.com", "pw-not-used-123")
    client.force_login(user)
    return client


@pytest.mark.parametrize("path, field", LISTS.items())
def test_each_level_of_the_date_hierarchy_answers(admin_client, path, field):
    InvoiceFactory()  # an invoice, its number, its journal entry and their activity rows
    today = datetime.date.today()
    levels = [
        {},
        {f"{field}__year": today.year},
        {f"{field}__year": today.year, f"{field}__month": today.month},
        {f"{field}__year": today.year, f"{field}__month": today.month, f"{field}__day": today.day},
    ]
    for query in levels:
        response = admin_client.get(path, query)
        assert response.status_code == 200, (path, query, response.status_code)
