"""What Intacct's and PORTOS's sequences can do, in the native API's names (docs/dialects.md).

Next number, rollover enabled later or without an affix, the read-only enabled date, inactive sequences
hidden from lists, keys and PORTOS ids.
"""

import datetime

import pytest
from django.db import IntegrityError, transaction
from django.utils import timezone

from erp.exceptions import Conflict, InvalidInput, RuleViolation
from numbering.audit import sequence_audit
from numbering.models import CounterEvent, IssuedNumber, Sequence
from numbering.services import counter_advance, sequence_create, sequence_issue_next, sequence_update
from tests.helpers import sql

pytestmark = pytest.mark.django_db

BASE = "/v1/document-sequences"
D = datetime.date


def create(api, **fields):
    response = api.post(BASE, {"name": "Vendor Invoice", "fixed_prefix": "P", **fields}, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def issue(api, sequence_id, on=None):
    body = {"date": on.isoformat()} if on else {}
    response = api.post(f"{BASE}/{sequence_id}/generate-next-value", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_the_next_number_given_on_create_is_the_first_one_issued(api):
    # A migration from a legacy system that reached 4710
    body = create(api, fixed_length=5, next_number=4711)
    assert body["next_number"] == 4711
    assert issue(api, body["id"])["number"] == "P04711"
    assert sequence_audit(sequence=Sequence.objects.get(pk=body["id"]))["ok"] is True


def test_a_next_number_given_on_update_is_a_recorded_counter_advance(api):
    body = create(api)
    issue(api, body["id"])
    patched = api.patch(f"{BASE}/{body['id']}", {"next_number": 100}, format="json")
    assert patched.status_code == 200, patched.json()
    assert (patched.json()["next_number"], patched.json()["version"]) == (100, 2)
    event = CounterEvent.objects.get(sequence_id=body["id"], kind="edit")
    assert (event.value_before, event.value_after) == (1, 99)
    assert event.reason == f"PATCH {BASE}/{body['id']}: next number of all set to 100"
    assert event.actor.startswith("api_key:")
    assert issue(api, body["id"])["value"] == 100
    assert sequence_audit(sequence=Sequence.objects.get(pk=body["id"]))["ok"] is True


def test_a_next_number_below_what_was_issued_is_refused(api):
    body = create(api)
    for _ in range(3):
        issue(api, body["id"])
    refused = api.patch(f"{BASE}/{body['id']}", {"next_number": 3}, format="json")
    assert refused.status_code == 422  # the same rule and code as a fiscal_years/numberings entry
    assert (refused.json()["error"]["code"], refused.json()["error"]["param"]) == (
        "counter_decrement",
        "next_number",
    )
    assert api.patch(f"{BASE}/{body['id']}", {"next_number": 4}, format="json").status_code == 200


def test_rollover_without_an_affix_repeats_numbers_across_fiscal_years_only(api, entity):
    body = create(
        api,
        fixed_length=4,
        reset="fiscal_year",
        rollover={"is_enabled": True, "fiscal_year_affix_position": "none"},
    )
    assert body["rollover"]["enabled_date"] == timezone.localdate().isoformat()
    first_2025 = issue(api, body["id"], D(2025, 3, 1))
    first_2026 = issue(api, body["id"], D(2026, 3, 1))
    assert (first_2025["number"], first_2026["number"]) == ("P0001", "P0001")
    assert (first_2025["period_label"], first_2026["period_label"]) == ("FY2025", "FY2026")
    # Within a fiscal year the printed number is still unique, in the database too
    issued = IssuedNumber.objects.get(pk=first_2025["id"])
    with pytest.raises(IntegrityError, match="issued_number_unique_number_in_period"), transaction.atomic():
        sql(
            "INSERT INTO numbering_issuednumber (id, entity_id, sequence_id, period_id, value, number, "
            "unique_in_period, status, document_type, document_id, reference, issued_at, issued_by, "
            "void_reason, voided_by) VALUES (gen_random_uuid(), %s, %s, %s, 2, 'P0001', true, 'issued', "
            "'', '', '', now(), '', '', '')",
            [entity.pk, issued.sequence_id, issued.period_id],
        )


def test_a_format_string_that_repeats_across_periods_is_still_refused(api):
    refused = api.post(
        BASE, {"name": "Bad", "format": "X{i4}", "reset": "fiscal_year"}, format="json"
    ).json()["error"]
    assert (refused["code"], refused["param"]) == ("format_not_period_unique", "format")


def test_rollover_enabled_on_a_used_sequence_numbers_documents_from_today_by_fiscal_year(api):
    body = create(api, fixed_length=4)
    for _ in range(3):
        issue(api, body["id"])
    today = timezone.localdate()
    patched = api.patch(
        f"{BASE}/{body['id']}",
        {"rollover": {"is_enabled": True, "fiscal_year_affix_position": "prefix", "separator": "-"}},
        format="json",
    )
    assert patched.status_code == 200, patched.json()
    shown = patched.json()
    assert (shown["reset"], shown["rollover"]["enabled_date"], shown["reset_from"]) == (
        "fiscal_year",
        today.isoformat(),
        today.isoformat(),
    )
    from_today = [issue(api, body["id"], today) for _ in range(4)]
    before = issue(api, body["id"], today - datetime.timedelta(days=1))
    assert (from_today[0]["value"], from_today[0]["number"]) == (1, f"{today.year}-P0001")
    # The old counter goes on, printed as before rollover (no fiscal-year affix): never a new number's twin
    assert (before["value"], before["number"], before["period_label"]) == (4, "P0004", "all")
    assert from_today[3]["number"] == f"{today.year}-P0004"
    assert sequence_audit(sequence=Sequence.objects.get(pk=body["id"]))["ok"] is True


@pytest.mark.parametrize(
    ("layout", "change"),
    [
        # A format string prints its dates: a new month would print T-…0001 again.
        ({"format": "T-{yyyy}{MM}{i4}"}, {"reset": "month", "period": {"unit": "Month", "amount": 1}}),
        # A fiscal-year affix printed before rollover: the new fiscal year would print 2026-P0001 again.
        ({"fiscal_year_affix": "prefix"}, {"rollover": {"is_enabled": True}}),
        # No affix at all: the new fiscal year would print P0001 again within the same fiscal year.
        ({}, {"rollover": {"is_enabled": True, "fiscal_year_affix_position": "none"}}),
    ],
)
def test_a_used_sequence_cannot_start_a_reset_that_would_reprint_its_numbers(api, entity, layout, change):
    sequence = sequence_create(entity=entity, name="Used", fixed_prefix="P", fixed_length=4, **layout)
    sequence_issue_next(sequence=sequence)
    refused = api.patch(f"{BASE}/{sequence.pk}", change, format="json")
    assert refused.status_code == 409, refused.json()
    assert (refused.json()["error"]["code"], refused.json()["error"]["param"]) == ("sequence_in_use", "reset")
    sequence.refresh_from_db()
    assert (sequence.reset, sequence.reset_from, sequence.version) == ("never", None, 1)


def test_an_advanced_counter_counts_as_used_when_a_reset_starts(entity):
    # A migration moved the counter on without issuing: later documents dated before the reset would
    # still print T-2026…0051 from it, so a monthly restart could print those numbers again.
    sequence = sequence_create(entity=entity, name="Migrated", format="T-{yyyy}{MM}{i4}")
    counter_advance(sequence=sequence, advance_to=50, reason="legacy system", actor="t")
    with pytest.raises(Conflict) as raised:
        sequence_update(sequence=sequence, actor="t", reset="month")
    assert (raised.value.code, raised.value.param) == ("sequence_in_use", "reset")
    untouched = sequence_create(entity=entity, name="Fresh", format="T-{yyyy}{MM}{i4}")
    assert sequence_update(sequence=untouched, actor="t", reset="month").reset_from is None


def test_a_sequence_keeping_its_old_counter_keeps_its_fiscal_year_affix(api):
    body = create(api, fixed_length=4)
    issue(api, body["id"])
    rollover = {"is_enabled": True, "fiscal_year_affix_position": "suffix"}
    assert api.patch(f"{BASE}/{body['id']}", {"rollover": rollover}, format="json").status_code == 200
    dropped = api.patch(
        f"{BASE}/{body['id']}", {"rollover": {"fiscal_year_affix_position": "none"}}, format="json"
    )
    assert dropped.status_code == 409
    assert dropped.json()["error"]["param"] == "fiscal_year_affix"


def test_a_period_wholly_before_the_reset_cannot_be_configured(entity):
    sequence = sequence_create(entity=entity, name="Later", fixed_prefix="L", fixed_length=3)
    sequence_issue_next(sequence=sequence)
    today = timezone.localdate()
    sequence_update(sequence=sequence, actor="t", reset="fiscal_year", fiscal_year_affix="prefix")
    with pytest.raises(InvalidInput) as raised:
        sequence_update(
            sequence=sequence, actor="t", fiscal_years=[{"fiscal_year": today.year - 1, "next_number": 5}]
        )
    assert (raised.value.code, raised.value.param) == ("period_before_reset", "fiscal_years[0].fiscal_year")
    # Today's fiscal year began before the reset, and is the new rule's: it may be configured
    sequence_update(
        sequence=sequence, actor="t", fiscal_years=[{"fiscal_year": today.year, "next_number": 5}]
    )
    assert sequence_issue_next(sequence=sequence, date=today).number == f"{today.year}L005"


def test_the_next_numbers_counter_event_names_the_callers_reason(entity):
    sequence = sequence_create(entity=entity, name="Reasoned", fixed_prefix="R")
    sequence_issue_next(sequence=sequence)
    sequence_update(sequence=sequence, actor="t", next_number=10, reason="PATCH /somewhere/1")
    event = CounterEvent.objects.get(sequence=sequence, kind="edit")
    assert (event.reason, event.value_before, event.value_after) == (
        "PATCH /somewhere/1: next number of all set to 10",
        1,
        9,
    )


def test_dates_at_the_ends_of_the_calendar_are_refused_not_crashed_on(entity):
    sequence = sequence_create(
        entity=entity,
        name="Edges",
        format="E{yyyy}{MM}{dd}-{n}",
        reset="custom",
        period_unit="year",
        period_amount=10,
    )
    with pytest.raises(RuleViolation) as raised:
        sequence_issue_next(sequence=sequence, date=D(1, 1, 1))
    assert raised.value.code == "date_out_of_range"
    anchored = sequence_create(
        entity=entity,
        name="Far",
        format="F{yyyy}-{n}",
        reset="custom",
        period_unit="month",
        period_amount=12,
        period_anchor=D(9999, 1, 1),
    )
    assert anchored.period_anchor == D(9999, 1, 1)


def test_the_enabled_date_is_read_only(api):
    body = create(
        api, reset="fiscal_year", rollover={"is_enabled": True, "fiscal_year_affix_position": "prefix"}
    )
    url = f"{BASE}/{body['id']}"
    refused = api.patch(url, {"rollover": {"enabled_date": "2021-01-23"}}, format="json")
    assert refused.status_code == 400
    assert (refused.json()["error"]["code"], refused.json()["error"]["param"]) == (
        "read_only",
        "rollover.enabled_date",
    )
    # Sent back unchanged (a read-modify-write client), it is accepted
    same = {"rollover": {**body["rollover"], "separator": "/"}}
    assert api.patch(url, same, format="json").status_code == 200
    created_with_date = api.post(
        BASE, {"name": "Dated", "rollover": {"is_enabled": True, "enabled_date": "2021-01-23"}}, format="json"
    )
    assert created_with_date.json()["error"]["code"] == "read_only"


def test_a_sequence_that_resets_cannot_change_its_rule_once_used(entity):
    sequence = sequence_create(entity=entity, name="Monthly", format="M{yyyy}{MM}-{n}", reset="month")
    sequence_issue_next(sequence=sequence, date=D(2026, 1, 5))
    with pytest.raises(Conflict) as raised:
        sequence_update(sequence=sequence, actor="t", reset="never")
    assert raised.value.code == "sequence_in_use"


def test_inactive_sequences_are_hidden_from_the_list_unless_asked_for(api):
    active = create(api, name="Active")
    inactive = create(api, name="Old", status="inactive")

    def names(**query):
        response = api.get(BASE, query)
        assert response.status_code == 200, response.json()
        return {row["name"] for row in response.json()["data"]} & {"Active", "Old"}

    assert names() == {"Active"}
    assert names(status="inactive") == {"Old"}
    assert names(status="all") == {"Active", "Old"}
    assert api.get(f"{BASE}/{inactive['id']}").status_code == 200
    assert active["status"] == "active"


def test_keys_and_portos_ids_identify_sequences_for_the_dialects(api, entity):
    first = create(api, name="One")
    second = create(api, name="Two", portos_id="59919dd9c5960398d3774164", stock_transfer_type="Invoice")
    assert first["key"].isdigit() and second["key"].isdigit()
    assert int(second["key"]) > int(first["key"])
    assert len(first["portos_id"]) == 24 and int(first["portos_id"], 16) >= 0
    assert (second["portos_id"], second["stock_transfer_type"]) == ("59919dd9c5960398d3774164", "Invoice")
    listed = api.get(BASE, {"portos_id": "59919dd9c5960398d3774164"}).json()["data"]
    assert [row["name"] for row in listed] == ["Two"]
    taken = api.post(BASE, {"name": "Three", "portos_id": "59919dd9c5960398d3774164"}, format="json")
    assert taken.status_code == 409
    bad = api.post(BASE, {"name": "Four", "portos_id": "59919DD9"}, format="json").json()["error"]
    assert (bad["code"], bad["param"]) == ("invalid_portos_id", "portos_id")
    moved = api.patch(f"{BASE}/{first['id']}", {"portos_id": "0" * 24}, format="json").json()["error"]
    assert (moved["code"], moved["param"]) == ("read_only", "portos_id")
