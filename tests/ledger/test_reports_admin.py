"""The report pages of the admin: figures equal to the API's, CSV equal to them, the drill-down, the
statement (printable), and only the entities a staff user is a member of."""

import csv
import io

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.urls import reverse

from erp.models import Membership
from tests.ledger.books import days, invoice, pay, report_day, sample_books
from tests.receivables.factories import CustomerFactory

pytestmark = pytest.mark.django_db

AR_AGING = reverse("admin:ledger_account_ar_aging")
AP_AGING = reverse("admin:ledger_account_ap_aging")
STATEMENT = reverse("admin:ledger_account_statement")
TRIAL_BALANCE = reverse("admin:ledger_account_trial_balance")


@pytest.fixture
def books(entity):
    return sample_books(entity)


def csv_rows(response) -> list[dict]:
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith("attachment; filename=")
    return list(csv.DictReader(io.StringIO(response.content.decode())))


@pytest.fixture
def member(client, entity):
    """A staff user (not a superuser) who may view accounts, a member of `entity` only."""
    user = get_user_model().objects.create_user("viewer", password="unused-password-1", is_staff=True)
    user.user_permissions.add(Permission.objects.get(codename="view_account"))
    Membership.objects.create(user=user, entity=entity, role="viewer")
    client.force_login(user)
    return client


@pytest.mark.parametrize(("page", "api_path"), [(AR_AGING, "ar-aging"), (AP_AGING, "ap-aging")])
def test_the_aging_csv_holds_the_apis_figures(admin_client, api, entity, books, page, api_path):
    query = {"entity": entity.pk, "as_of": report_day().isoformat()}
    shown = admin_client.get(page, query)
    assert shown.status_code == 200
    body = api.get(f"/v1/reports/{api_path}", {"as_of": report_day().isoformat()}).json()
    assert f'id="aging-total">{body["totals"]["total"]}<' in shown.content.decode()
    rows = csv_rows(admin_client.get(page, {**query, "format": "csv"}))
    keys = ["current", "days_1_30", "days_31_60", "days_61_90", "days_over_90", "total"]
    party = "customer_id" if api_path == "ar-aging" else "vendor_id"
    assert [
        {"party_id": row[party], "name": row["name"], **{k: row[k] for k in keys}} for row in rows[:-1]
    ] == [{key: row[key] for key in ["party_id", "name", *keys]} for row in body["rows"]]
    assert {k: rows[-1][k] for k in keys} == body["totals"]
    assert {row["currency"] for row in rows} == {"USD"}


def test_an_aging_row_drills_down_to_the_partys_open_documents(admin_client, entity, books):
    page = admin_client.get(
        AR_AGING, {"entity": entity.pk, "as_of": report_day().isoformat()}
    ).content.decode()
    acme = books["acme"]
    url = reverse("admin:ledger_account_ar_aging_party")
    assert f'href="{url}?entity={entity.pk}&amp;as_of={report_day().isoformat()}&amp;party={acme.pk}"' in page
    detail = admin_client.get(url, {"entity": entity.pk, "as_of": report_day().isoformat(), "party": acme.pk})
    assert detail.status_code == 200
    text = detail.content.decode()
    numbers = list(acme.invoices.order_by("due_date").values_list("number", "pk"))
    for number, pk in numbers:
        assert f'href="{reverse("admin:receivables_invoice_change", args=[pk])}">{number}</a>' in text
    assert 'id="party-total">80.50<' in text
    assert "31–60 days" in text and "Current" in text


def test_the_drill_down_of_another_entitys_party_is_404(admin_client, entity, other_entity, books):
    theirs = CustomerFactory(entity=other_entity)
    invoice(theirs, "5.00", due=report_day())
    url = reverse("admin:ledger_account_ar_aging_party")
    assert (
        admin_client.get(
            url, {"entity": entity.pk, "as_of": report_day().isoformat(), "party": theirs.pk}
        ).status_code
        == 404
    )
    assert admin_client.get(url, {"entity": other_entity.pk, "party": theirs.pk}).status_code == 200
    assert 'id="choose-a-name"' in admin_client.get(url).content.decode()


def test_a_member_sees_only_their_entitys_reports(member, entity, other_entity, books):
    theirs = CustomerFactory(entity=other_entity, name="Hidden Ltd")
    invoice(theirs, "5.00", due=report_day())
    page = member.get(AR_AGING).content.decode()
    assert str(other_entity.pk) not in page
    # Their only entity is chosen for them.
    assert "Acme" in page and "Hidden Ltd" not in page
    refused = member.get(AR_AGING, {"entity": other_entity.pk})
    assert refused.status_code == 200 and "Hidden Ltd" not in refused.content.decode()
    assert "Select a valid choice" in refused.content.decode()
    assert member.get(AR_AGING, {"entity": other_entity.pk, "format": "csv"})["Content-Type"].startswith(
        "text/html"
    )
    drill = reverse("admin:ledger_account_ar_aging_party")
    refused = member.get(drill, {"entity": other_entity.pk, "party": theirs.pk}).content.decode()
    assert 'id="choose-a-name"' in refused and "Hidden Ltd" not in refused
    statement = member.get(STATEMENT, {"customer": theirs.pk})
    assert "Select a valid choice" in statement.content.decode()
    assert "Hidden Ltd" not in member.get(STATEMENT).content.decode()
    trial = member.get(TRIAL_BALANCE, {"entity": other_entity.pk, "format": "csv"})
    assert trial["Content-Type"].startswith("text/html")


def test_a_user_without_the_view_permission_gets_no_report(client, entity):
    user = get_user_model().objects.create_user("nobody", password="unused-password-1", is_staff=True)
    Membership.objects.create(user=user, entity=entity, role="viewer")
    client.force_login(user)
    assert client.get(AR_AGING).status_code == 403


def test_the_statement_page_its_print_view_and_csv(admin_client, entity):
    customer = CustomerFactory(entity=entity, name="=HYPERLINK(evil)")
    doc = invoice(customer, "100.00", due=report_day(), on=report_day() - days(10))
    pay(customer, (doc, "30.00"), on=report_day())
    query = {
        "customer": customer.pk,
        "date_from": (report_day() - days(10)).isoformat(),
        "date_to": report_day().isoformat(),
    }
    page = admin_client.get(STATEMENT, query).content.decode()
    assert 'id="closing-balance">70.00<' in page and 'id="opening-balance">0.00<' in page
    assert 'id="statement-print"' in page
    printed = admin_client.get(STATEMENT, {**query, "print": "1"})
    assert printed.status_code == 200
    printed_text = printed.content.decode()
    assert 'id="amount-due">70.00 USD<' in printed_text and "admin" not in printed.templates[0].name
    rows = list(
        csv.reader(io.StringIO(admin_client.get(STATEMENT, {**query, "format": "csv"}).content.decode()))
    )
    assert rows[0] == ["date", "type", "reference", "description", "amount", "balance", "currency"]
    assert [(row[1], row[4], row[5]) for row in rows[1:]] == [
        ("opening_balance", "", "0.00"),
        ("document", "100.00", "100.00"),
        ("payment", "-30.00", "70.00"),
        ("closing_balance", "", "70.00"),
    ]
    reversed_period = admin_client.get(
        STATEMENT,
        {**query, "date_from": report_day().isoformat(), "date_to": (report_day() - days(1)).isoformat()},
    )
    assert "The period must start on or before its last day." in reversed_period.content.decode()


def test_the_aging_csv_neutralises_formulas(admin_client, entity):
    customer = CustomerFactory(entity=entity, name="=HYPERLINK(evil)")
    invoice(customer, "5.00", due=report_day())
    rows = csv_rows(
        admin_client.get(AR_AGING, {"entity": entity.pk, "as_of": report_day().isoformat(), "format": "csv"})
    )
    assert rows[0]["name"] == "'=HYPERLINK(evil)"


def test_the_trial_balance_csv_balances(admin_client, entity, books):
    rows = csv_rows(
        admin_client.get(
            TRIAL_BALANCE, {"entity": entity.pk, "as_of": report_day().isoformat(), "format": "csv"}
        )
    )
    assert rows[-1]["name"] == "Total" and rows[-1]["debit"] == rows[-1]["credit"] == "427.75"
    assert {row["account_code"]: row["debit"] for row in rows}["accounts_receivable"] == "87.75"


def test_the_accounts_list_links_to_every_report(admin_client):
    page = admin_client.get(reverse("admin:ledger_account_changelist")).content.decode()
    for element in ("trial-balance-link", "ar-aging-link", "ap-aging-link", "statement-link"):
        assert f'id="{element}"' in page
