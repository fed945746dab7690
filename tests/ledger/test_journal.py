"""The ledger's services, selectors and read API: charts, posting numbered last, reversals, trial balance."""

import datetime
from decimal import Decimal

import pytest

from erp.exceptions import Conflict, InvalidInput, NotFound, RuleViolation
from ledger import selectors
from ledger.models import Account, JournalEntry
from ledger.services import DEFAULT_CHART, account_create, journal_entry_post, journal_entry_reverse
from numbering.models import IssuedNumber

pytestmark = pytest.mark.django_db

DAY = datetime.date(2026, 4, 1)


def post(entity, lines, **kwargs):
    return journal_entry_post(
        entity=entity,
        date=kwargs.pop("date", DAY),
        memo=kwargs.pop("memo", "test"),
        lines=lines,
        source_type="test",
        source_id="1",
        posted_by="tester",
        **kwargs,
    )


def test_a_new_entity_gets_the_default_chart(entity):
    codes = set(Account.objects.filter(entity=entity).values_list("code", flat=True))
    assert codes == {code for code, _, _ in DEFAULT_CHART}
    assert {
        "cash",
        "undeposited_funds",
        "bank",
        "accounts_receivable",
        "accounts_payable",
        "vendor_credits",
        "vendor_returns_receivable",
        "revenue",
        "expense",
    } <= codes


def test_posting_stores_the_lines_and_numbers_the_entry_from_the_journal_counter(entity):
    entry = post(entity, [("cash", "40.00", 0), ("revenue", 0, "40.00")])
    assert entry.number == "JE0000001"
    stored = JournalEntry.objects.get(pk=entry.pk)
    assert stored.number == "JE0000001"
    assert [(line.account.code, line.debit, line.credit) for line in stored.lines.order_by("id")] == [
        ("cash", Decimal("40.00"), Decimal("0.00")),
        ("revenue", Decimal("0.00"), Decimal("40.00")),
    ]
    issued = IssuedNumber.objects.get(number="JE0000001", entity=entity)
    assert (issued.document_type, issued.document_id, issued.issued_by) == (
        "journal_entry",
        str(entry.pk),
        "tester",
    )
    assert post(entity, [("bank", 5, 0), ("revenue", 0, 5)]).number == "JE0000002"


def test_an_unbalanced_entry_is_refused_before_anything_is_written(entity):
    with pytest.raises(RuleViolation) as raised:
        post(entity, [("cash", "40.00", 0), ("revenue", 0, "39.99")])
    assert (raised.value.code, raised.value.param) == ("entry_unbalanced", "lines")
    assert not JournalEntry.objects.exists()
    assert not IssuedNumber.objects.filter(entity=entity, document_type="journal_entry").exists()


@pytest.mark.parametrize(
    "lines, code, param",
    [
        ([("cash", 1, 0)], "invalid_lines", "lines"),
        ([("cash", 1, 1), ("revenue", 0, 0)], "invalid_journal_line", "lines[0]"),
        ([("cash", 1, 0), ("revenue", 0, 0)], "invalid_journal_line", "lines[1]"),
        ([("cash", -1, 0), ("revenue", 0, -1)], "amount_negative", "lines[0].debit"),
        ([("cash", "1.001", 0), ("revenue", 0, "1.001")], "too_many_decimal_places", "lines[0].debit"),
        ([("cash", 1, 0), ("revenue", 0, 1, 2)], "invalid_journal_line", "lines[1]"),
    ],
)
def test_malformed_lines_are_refused_with_their_param(entity, lines, code, param):
    with pytest.raises(InvalidInput) as raised:
        post(entity, lines)
    assert (raised.value.code, raised.value.param) == (code, param)


def test_an_account_outside_the_chart_is_not_found(entity, other_entity):
    account_create(entity=other_entity, code="rent", name="Rent", type="expense")
    with pytest.raises(NotFound) as raised:
        post(entity, [("cash", 1, 0), ("rent", 0, 1)])
    assert (raised.value.code, raised.value.param) == ("account_not_found", "lines[1].account")


def test_a_reversal_swaps_every_line_and_points_at_the_original(entity):
    original = post(entity, [("accounts_receivable", "120.00", 0), ("revenue", 0, "120.00")])
    reversal = journal_entry_reverse(entry=original, date=DAY, memo="undo", posted_by="tester")
    assert reversal.reversal_of_id == original.pk
    assert reversal.number == "JE0000002"
    assert [(line.account.code, line.debit, line.credit) for line in reversal.lines.order_by("id")] == [
        ("accounts_receivable", Decimal("0.00"), Decimal("120.00")),
        ("revenue", Decimal("120.00"), Decimal("0.00")),
    ]
    assert selectors.account_balance(entity=entity, code="accounts_receivable") == 0


def test_an_entry_is_reversed_once_and_a_reversal_is_never_reversed(entity):
    original = post(entity, [("cash", 1, 0), ("revenue", 0, 1)])
    reversal = journal_entry_reverse(entry=original, date=DAY, memo="undo", posted_by="tester")
    with pytest.raises(Conflict) as raised:
        journal_entry_reverse(entry=original, date=DAY, memo="again", posted_by="tester")
    assert raised.value.code == "entry_already_reversed"
    with pytest.raises(RuleViolation) as raised:
        journal_entry_reverse(entry=reversal, date=DAY, memo="redo", posted_by="tester")
    assert raised.value.code == "entry_is_reversal"


def test_a_reversal_cannot_be_dated_before_its_original(entity):
    original = post(entity, [("cash", 1, 0), ("revenue", 0, 1)])
    with pytest.raises(RuleViolation) as raised:
        journal_entry_reverse(entry=original, date=DAY - datetime.timedelta(days=1), memo="x", posted_by="t")
    assert (raised.value.code, raised.value.param) == ("reversal_before_original", "date")


def test_the_trial_balance_shows_net_balances_and_balances(entity):
    post(entity, [("accounts_receivable", "300.00", 0), ("revenue", 0, "300.00")])
    post(
        entity,
        [("bank", "120.00", 0), ("accounts_receivable", 0, "120.00")],
        date=DAY + datetime.timedelta(days=5),
    )
    report = selectors.trial_balance(entity=entity)
    rows = {row.code: (row.debit, row.credit) for row in report.rows}
    assert rows["accounts_receivable"] == (Decimal("180.00"), Decimal("0.00"))
    assert rows["bank"] == (Decimal("120.00"), Decimal("0.00"))
    assert rows["revenue"] == (Decimal("0.00"), Decimal("300.00"))
    assert rows["cash"] == (Decimal("0.00"), Decimal("0.00"))
    assert report.total_debit == report.total_credit == Decimal("300.00")
    assert report.balanced

    earlier = selectors.trial_balance(entity=entity, as_of=DAY)
    assert {row.code: row.debit for row in earlier.rows}["accounts_receivable"] == Decimal("300.00")


def test_account_create_adds_to_one_chart_and_refuses_a_taken_code(entity):
    account = account_create(entity=entity, code="Rent", name="Rent", type="expense")
    assert account.code == "rent"
    with pytest.raises(Conflict) as raised:
        account_create(entity=entity, code="rent", name="Rent again", type="expense")
    assert raised.value.code == "account_code_taken"
    with pytest.raises(InvalidInput) as raised:
        account_create(entity=entity, code="fees", name="Fees", type="revenue")
    assert (raised.value.code, raised.value.param) == ("invalid_type", "type")


# --- read API ---------------------------------------------------------------------------------------


def test_accounts_list_and_retrieve(entity, make_client):
    api = make_client(entity, scopes=["accounting:read"])
    response = api.get("/v1/accounts", {"limit": 100})
    assert response.status_code == 200
    body = response.json()
    assert body["object"] == "list"
    codes = [account["code"] for account in body["data"]]
    assert codes == sorted(codes) and "accounts_receivable" in codes
    receivable = next(a for a in body["data"] if a["code"] == "accounts_receivable")
    assert receivable["type"] == "asset" and receivable["object"] == "account"
    assert api.get(f"/v1/accounts/{receivable['id']}").json()["code"] == "accounts_receivable"
    assert [a["code"] for a in api.get("/v1/accounts", {"type": "liability"}).json()["data"]] == [
        "accounts_payable",
        "credit_card_payable",
        "outstanding_checks",
    ]


def test_journal_entries_include_their_lines(entity, make_client):
    entry = post(entity, [("cash", "12.50", 0), ("revenue", 0, "12.50")])
    api = make_client(entity, scopes=["accounting:read"])
    body = api.get(f"/v1/journal-entries/{entry.pk}").json()
    assert body["object"] == "journal_entry"
    assert body["number"] == entry.number
    assert [(line["account_code"], line["debit"], line["credit"]) for line in body["lines"]] == [
        ("cash", "12.50", "0.00"),
        ("revenue", "0.00", "12.50"),
    ]
    listed = api.get("/v1/journal-entries", {"account": "cash"}).json()["data"]
    assert [e["id"] for e in listed] == [str(entry.pk)]
    assert api.get("/v1/journal-entries", {"account": "bank"}).json()["data"] == []


def test_the_ledger_api_needs_accounting_read_and_hides_other_entities(entity, other_entity, make_client):
    theirs = post(other_entity, [("cash", 1, 0), ("revenue", 0, 1)])
    without = make_client(entity, scopes=["payments:read"]).get("/v1/accounts")
    assert without.status_code == 403
    assert without.json()["error"]["required"] == "accounting:read"
    api = make_client(entity, scopes=["accounting:read"])
    missing = api.get(f"/v1/journal-entries/{theirs.pk}")
    assert missing.status_code == 404
    assert missing.json()["error"]["code"] == "not_found"
    assert api.post("/v1/accounts", {"code": "x"}, format="json").status_code == 405
