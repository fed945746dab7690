"""/v1/reports/… and /v1/customers/{id}/statement: shapes, figures equal to the ledger, strict parameters,
scopes and tenancy."""

from decimal import Decimal

import pytest

from ledger.reports.balances import control_balance
from ledger.reports.subledgers import PAYABLE, RECEIVABLE, subledger
from tests.helpers import error_of
from tests.ledger.books import days, report_day, sample_books, start_day, today

pytestmark = pytest.mark.django_db


@pytest.fixture
def books(entity):
    return sample_books(entity)


def test_ar_aging_rows_and_totals_are_decimal_strings_that_add_up_to_accounts_receivable(api, entity, books):
    response = api.get("/v1/reports/ar-aging", {"as_of": report_day().isoformat()})
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["as_of"] == report_day().isoformat() and body["currency"] == "USD"
    assert body["rows"] == [
        {
            "party_id": str(books["acme"].pk),
            "name": "Acme",
            "current": "20.50",
            "days_1_30": "0.00",
            "days_31_60": "60.00",
            "days_61_90": "0.00",
            "days_over_90": "0.00",
            "total": "80.50",
        },
        {
            "party_id": str(books["zed"].pk),
            "name": "Zed",
            "current": "0.00",
            "days_1_30": "0.00",
            "days_31_60": "0.00",
            "days_61_90": "0.00",
            "days_over_90": "7.25",
            "total": "7.25",
        },
    ]
    assert body["totals"] == {
        "current": "20.50",
        "days_1_30": "0.00",
        "days_31_60": "60.00",
        "days_61_90": "0.00",
        "days_over_90": "7.25",
        "total": "87.75",
    }
    assert Decimal(body["totals"]["total"]) == control_balance(
        subledger(RECEIVABLE), entity=entity, as_of=report_day()
    )


def test_ap_aging_total_is_accounts_payable(api, entity, books):
    body = api.get("/v1/reports/ap-aging", {"as_of": report_day().isoformat()}).json()
    assert [(row["name"], row["days_1_30"], row["total"]) for row in body["rows"]] == [
        ("Northwind", "300.00", "300.00")
    ]
    assert Decimal(body["totals"]["total"]) == control_balance(
        subledger(PAYABLE), entity=entity, as_of=report_day()
    )


def test_as_of_defaults_to_today(api, books):
    body = api.get("/v1/reports/ar-aging").json()
    assert body["as_of"] == today().isoformat()
    assert body == api.get("/v1/reports/ar-aging", {"as_of": today().isoformat()}).json()


def test_trial_balance_debits_equal_credits(api, entity, books):
    body = api.get("/v1/reports/trial-balance", {"as_of": report_day().isoformat()}).json()
    assert body["as_of"] == report_day().isoformat()
    assert body["totals"]["debit"] == body["totals"]["credit"]
    assert sum(Decimal(row["debit"]) for row in body["rows"]) == Decimal(body["totals"]["debit"])
    rows = {row["account_code"]: row for row in body["rows"]}
    assert rows["accounts_receivable"] == {
        "account_code": "accounts_receivable",
        "name": "Accounts receivable",
        "type": "asset",
        "debit": "87.75",
        "credit": "0.00",
    }
    assert rows["accounts_payable"]["credit"] == "300.00"
    before = api.get("/v1/reports/trial-balance", {"as_of": (start_day() - days(1)).isoformat()}).json()
    assert before["totals"] == {"debit": "0.00", "credit": "0.00"}


@pytest.mark.parametrize(
    "path", ["/v1/reports/ar-aging", "/v1/reports/ap-aging", "/v1/reports/trial-balance"]
)
@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ("as_of=2026-02-30", (400, "parameter_invalid", "as_of")),
        ("as_of=yesterday", (400, "parameter_invalid", "as_of")),
        ("as_of=", (400, "parameter_invalid", "as_of")),
        ("as_of=2026-01-01&as_of=2026-01-02", (400, "parameter_invalid", "as_of")),
        ("date=2026-01-01", (400, "unknown_parameter", "date")),
        ("limit=5", (400, "unknown_parameter", "limit")),
    ],
)
def test_query_parameters_are_strict(api, path, query, expected):
    response = api.get(f"{path}?{query}")
    assert error_of(response) == expected
    assert response.json()["error"]["type"] == "validation_error"


def test_reports_need_the_accounting_read_scope(make_client, entity):
    client = make_client(entity, scopes=["payments:read", "purchasing:read"])
    for path in ("/v1/reports/ar-aging", "/v1/reports/ap-aging", "/v1/reports/trial-balance"):
        response = client.get(path)
        assert response.status_code == 403
        assert response.json()["error"]["required"] == "accounting:read"
    assert make_client(entity, scopes=["accounting:read"]).get("/v1/reports/ar-aging").status_code == 200


def test_another_entitys_figures_never_appear(make_client, books, other_entity):
    theirs = make_client(other_entity)
    for path in ("/v1/reports/ar-aging", "/v1/reports/ap-aging"):
        body = theirs.get(path, {"as_of": report_day().isoformat()}).json()
        assert body["rows"] == [] and body["totals"]["total"] == "0.00"
    trial = theirs.get("/v1/reports/trial-balance").json()
    assert trial["totals"] == {"debit": "0.00", "credit": "0.00"}


def test_a_customer_statement(api, books):
    acme = books["acme"]
    response = api.get(
        f"/v1/customers/{acme.pk}/statement",
        {"from": (report_day() - days(2)).isoformat(), "to": report_day().isoformat()},
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["object"], body["customer_id"], body["name"], body["currency"]) == (
        "customer_statement",
        str(acme.pk),
        "Acme",
        "USD",
    )
    assert body["opening_balance"] == "120.50"
    assert [(line["type"], line["amount"], line["balance"]) for line in body["lines"]] == [
        ("payment", "-40.00", "80.50")
    ]
    assert body["closing_balance"] == "80.50" == body["aging"]["total"]
    assert [(item["open_amount"], item["days_overdue"]) for item in body["open_items"]] == [
        ("60.00", 31),
        ("20.50", 0),
    ]


def test_a_statement_defaults_to_this_month_and_refuses_a_reversed_period(api, books):
    url = f"/v1/customers/{books['acme'].pk}/statement"
    body = api.get(url).json()
    assert (body["from"], body["to"]) == (today().replace(day=1).isoformat(), today().isoformat())
    assert error_of(api.get(url, {"from": "2026-03-02", "to": "2026-03-01"})) == (
        400,
        "date_range_invalid",
        "from",
    )
    assert error_of(api.get(url, {"to": "2026-13-01"})) == (400, "parameter_invalid", "to")
    assert error_of(api.get(url, {"as_of": "2026-03-01"})) == (400, "unknown_parameter", "as_of")


def test_the_calendars_first_and_last_days_are_answered(api, books):
    url = f"/v1/customers/{books['acme'].pk}/statement"
    body = api.get(url, {"from": "0001-01-01", "to": "9999-12-31"}).json()
    assert (body["opening_balance"], body["closing_balance"]) == ("0.00", "80.50")
    for path in ("/v1/reports/ar-aging", "/v1/reports/ap-aging", "/v1/reports/trial-balance"):
        assert api.get(path, {"as_of": "0001-01-01"}).status_code == 200
        assert api.get(path, {"as_of": "9999-12-31"}).status_code == 200


def test_another_entitys_customer_has_no_statement(make_client, books, other_entity):
    response = make_client(other_entity).get(f"/v1/customers/{books['acme'].pk}/statement")
    assert response.status_code == 404
    assert response.json()["error"]["type"] == "not_found"


def test_the_reports_are_in_the_schema(api):
    paths = api.get("/v1/openapi.json").json()["paths"]
    for path in ("/v1/reports/ar-aging", "/v1/reports/ap-aging", "/v1/reports/trial-balance"):
        assert [p["name"] for p in paths[path]["get"]["parameters"]] == ["as_of"]
    assert "/v1/customers/{id}/statement" in paths


def test_a_test_key_sees_only_the_test_books(make_client, entity, books):
    test_client = make_client(entity, livemode=False)
    for path in ("/v1/reports/ar-aging", "/v1/reports/ap-aging"):
        body = test_client.get(path, {"as_of": report_day().isoformat()}).json()
        assert body["rows"] == [] and body["totals"]["total"] == "0.00"
        assert body["livemode"] is False
    assert test_client.get("/v1/reports/trial-balance").json()["livemode"] is False
    live_client = make_client(entity)
    for path in ("/v1/reports/ar-aging", "/v1/reports/ap-aging", "/v1/reports/trial-balance"):
        assert live_client.get(path).json()["livemode"] is True
    assert test_client.get(f"/v1/customers/{books['acme'].pk}/statement").status_code == 404
