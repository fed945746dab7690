"""The Intacct document-sequence object under /ia/api/v1: the contract's samples sent as printed, and the
behaviour behind them (next numbers, layouts, rollover, read-only fields, inactive sequences, tenancy)."""

import datetime

import pytest
from django.utils import timezone

from numbering.models import Sequence

pytestmark = pytest.mark.django_db

BASE = "/ia/api/v1/objects/company-config/document-sequence"
QUERY = "/ia/api/v1/services/core/query"
WRITE_META = {"totalCount": 1, "totalSuccess": 1, "totalError": 0}
# Every field of the contract's "Get a document sequence" sample.
GET_FIELDS = {
    "key", "id", "printTitle", "fixedPrefix", "fixedSuffix", "prefixSeparator", "suffixSeparator",
    "startingNumber", "endingNumber", "nextNumber", "whenModified", "fixedLength", "status", "type",
    "startingSequence", "endingSequence", "nextSequence", "rollover", "audit", "fiscalYears", "href",
}  # fmt: skip

# The contract's create sample as printed; it prints its two fiscalYears entries as `{ }`, so these
# are plausible entries of that schema (fiscalYear, nextNumber).
SEED_CREATE = {
    "id": "Vendor Invoice",
    "printTitle": "Vendor Invoice",
    "type": "numeric",
    "fixedPrefix": "P",
    "fixedSuffix": "S",
    "prefixSeparator": "-",
    "suffixSeparator": "-",
    "startingNumber": 1,
    "endingNumber": None,
    "nextNumber": 1,
    "fixedLength": "4",
    "rollover": {
        "isEnabled": True,
        "fiscalYearAffixPosition": "prefix",
        "separator": "-",
        "fiscalYears": [{"fiscalYear": 2024, "nextNumber": 1}, {"fiscalYear": 2025, "nextNumber": 1}],
    },
}


def create(api, **body) -> str:
    """Create a sequence through the dialect and return its key."""
    response = api.post(BASE, body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["ia::result"]["key"]


def get(api, key: str) -> dict:
    response = api.get(f"{BASE}/{key}")
    assert response.status_code == 200, response.json()
    return response.json()["ia::result"]


def issue(api, key: str, **body) -> dict:
    """Issue the next number through the native API (generate-next-value)."""
    sequence = Sequence.objects.get(key=int(key))
    response = api.post(f"/v1/document-sequences/{sequence.id}/generate-next-value", body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def error_of(response) -> tuple[int, str, str | None]:
    """Return (status, code, field) of an Intacct error."""
    error = response.json()["ia::error"]
    assert error["details"][0]["code"] == error["errorId"]
    return response.status_code, error["errorId"], error["details"][0]["field"]


def test_contract_list_sample_returns_keys_ids_and_hrefs(api, entity):
    response = api.get(BASE)
    assert response.status_code == 200
    body = response.json()
    sequences = Sequence.objects.filter(entity=entity).order_by("key")
    assert body["ia::result"] == [
        {"key": str(s.key), "id": s.name, "href": f"/objects/company-config/document-sequence/{s.key}"}
        for s in sequences
    ]
    assert body["ia::meta"] == {
        "totalCount": sequences.count(),
        "start": 1,
        "pageSize": 100,
        "next": None,
        "previous": None,
    }


def test_the_list_holds_at_most_100_and_says_where_the_next_page_starts(api, entity):
    for n in range(100):
        create(api, id=f"Bulk {n:03d}")
    body = api.get(BASE).json()
    total = Sequence.objects.filter(entity=entity).count()
    assert len(body["ia::result"]) == 100
    assert body["ia::meta"] == {
        "totalCount": total,
        "start": 1,
        "pageSize": 100,
        "next": 101,
        "previous": None,
    }


def test_contract_create_sample_answers_key_id_href_and_configures_the_fiscal_years(api):
    response = api.post(BASE, SEED_CREATE, format="json")
    assert response.status_code == 201
    body = response.json()
    key = body["ia::result"]["key"]
    assert key.isdigit()
    assert body == {
        "ia::result": {
            "key": key,
            "id": "Vendor Invoice",
            "href": f"/objects/company-config/document-sequence/{key}",
        },
        "ia::meta": WRITE_META,
    }
    sequence = get(api, key)
    assert sequence["rollover"] == {
        "isEnabled": True,
        "enabledDate": timezone.localdate().isoformat(),
        "fiscalYearAffixPosition": "prefix",
        "separator": "-",
    }
    years = {entry["fiscalYear"]: entry for entry in sequence["fiscalYears"]}
    assert years[2024] == {"fiscalYear": 2024, "nextNumber": 1, "nextSequence": None}
    assert years[2025] == {"fiscalYear": 2025, "nextNumber": 1, "nextSequence": None}
    issued = issue(api, key, date="2024-06-30")
    assert issued["number"] == "2024-P-0001-S"


def test_contract_get_sample_shows_every_field(api):
    key = create(api, **SEED_CREATE)
    response = api.get(f"{BASE}/{key}")
    assert response.status_code == 200
    body = response.json()
    assert body["ia::meta"] == WRITE_META
    result = body["ia::result"]
    assert set(result) == GET_FIELDS
    sequence = Sequence.objects.get(key=int(key))
    assert result | {"rollover": None, "audit": None, "fiscalYears": None} == {
        "key": key,
        "id": "Vendor Invoice",
        "printTitle": "Vendor Invoice",
        "type": "numeric",
        "fixedLength": "4",
        "fixedPrefix": "P",
        "prefixSeparator": "-",
        "fixedSuffix": "S",
        "suffixSeparator": "-",
        "startingNumber": 1,
        "endingNumber": None,
        "nextNumber": 1,
        "startingSequence": None,
        "endingSequence": None,
        "nextSequence": None,
        "whenModified": result["audit"]["modifiedDateTime"],
        "status": "active",
        "rollover": None,
        "audit": None,
        "fiscalYears": None,
        "href": f"/objects/company-config/document-sequence/{key}",
    }
    assert set(result["audit"]) == {"createdDateTime", "modifiedDateTime", "createdBy", "modifiedBy"}
    assert result["audit"]["createdBy"] == result["audit"]["modifiedBy"] == sequence.created_by
    assert sequence.created_by.startswith("api_key:")
    created = datetime.datetime.fromisoformat(result["audit"]["createdDateTime"])
    assert result["audit"]["createdDateTime"].endswith("Z")
    assert abs(created - sequence.created_at) < datetime.timedelta(seconds=1)


def test_fixed_length_is_a_string_or_null(api):
    key = create(api, id="Plain")
    assert get(api, key)["fixedLength"] is None


def test_contract_patch_sample_changes_the_rendering(api):
    key = create(api, id="Receipts", fixedPrefix="P", fixedLength="4")
    assert issue(api, key)["number"] == "P0001"
    response = api.patch(f"{BASE}/{key}", {"prefixSeparator": "-"}, format="json")
    assert response.status_code == 200
    assert response.json() == {
        "ia::result": {
            "key": key,
            "id": "Receipts",
            "href": f"/objects/company-config/document-sequence/{key}",
        },
        "ia::meta": WRITE_META,
    }
    assert issue(api, key)["number"] == "P-0002"
    assert get(api, key)["prefixSeparator"] == "-"


def test_contract_delete_sample_answers_204_and_the_key_is_gone(api):
    key = create(api, id="Short lived")
    response = api.delete(f"{BASE}/{key}")
    assert response.status_code == 204
    assert response.content == b""
    assert api.get(f"{BASE}/{key}").status_code == 404


def test_a_sequence_that_issued_numbers_cannot_be_deleted(api):
    key = create(api, id="Used")
    issue(api, key)
    response = api.delete(f"{BASE}/{key}")
    assert error_of(response) == (409, "sequence_in_use", None)
    assert response.json()["ia::error"]["code"] == "conflict"


def test_next_number_on_create_is_the_next_number_issued(api):
    key = create(api, id="Migrated", nextNumber=100)
    assert get(api, key)["nextNumber"] == 100
    assert issue(api, key)["value"] == 100
    assert get(api, key)["nextNumber"] == 101


def test_next_number_on_patch_advances_the_counter_never_back(api, entity):
    key = create(api, id="Advanced")
    issue(api, key)
    assert api.patch(f"{BASE}/{key}", {"nextNumber": 200}, format="json").status_code == 200
    assert issue(api, key)["value"] == 200
    sequence = Sequence.objects.get(key=int(key))
    event = sequence.counter_events.get()
    assert (event.value_before, event.value_after) == (1, 199)
    assert event.reason == f"PATCH {BASE}/{key}: next number of all set to 200"
    response = api.patch(f"{BASE}/{key}", {"nextNumber": 150}, format="json")
    assert error_of(response) == (400, "counter_decrement", "nextNumber")
    assert issue(api, key)["value"] == 201


def test_next_sequence_counts_an_alpha_sequence_in_letters(api):
    key = create(api, id="Letters", type="alpha", startingSequence="a", nextSequence="c")
    sequence = get(api, key)
    assert (sequence["nextSequence"], sequence["nextNumber"], sequence["startingSequence"]) == (
        "c",
        None,
        "a",
    )
    assert issue(api, key)["number"] == "c"
    assert get(api, key)["nextSequence"] == "d"


def test_next_sequence_on_a_numeric_sequence_is_refused(api):
    response = api.post(BASE, {"id": "Numbers", "nextSequence": "c"}, format="json")
    assert error_of(response) == (400, "invalid_next_sequence", "nextSequence")


def test_top_level_fiscal_years_are_accepted_like_nested_ones(api):
    key = create(
        api,
        id="Top level years",
        fixedPrefix="T",
        rollover={"isEnabled": True, "fiscalYearAffixPosition": "suffix", "separator": "/"},
        fiscalYears=[{"fiscalYear": 2024, "nextNumber": 40}],
    )
    assert issue(api, key, date="2024-02-01")["number"] == "T40/2024"
    response = api.patch(
        f"{BASE}/{key}", {"fiscalYears": [{"fiscalYear": 2024, "nextNumber": 90}]}, format="json"
    )
    assert response.status_code == 200
    assert issue(api, key, date="2024-02-02")["value"] == 90


def test_fiscal_years_given_twice_are_refused(api):
    body = {
        "id": "Twice",
        "rollover": {"isEnabled": True, "fiscalYearAffixPosition": "prefix", "fiscalYears": []},
        "fiscalYears": [],
    }
    assert error_of(api.post(BASE, body, format="json")) == (
        400,
        "duplicate_parameter",
        "rollover.fiscalYears",
    )


def test_rollover_with_affix_none_repeats_numbers_across_fiscal_years(api):
    key = create(
        api,
        id="Yearly",
        fixedPrefix="INV",
        prefixSeparator="-",
        rollover={"isEnabled": True, "fiscalYearAffixPosition": "none"},
    )
    first_2024 = issue(api, key, date="2024-03-01")
    first_2025 = issue(api, key, date="2025-03-01")
    assert first_2024["number"] == first_2025["number"] == "INV-1"
    assert issue(api, key, date="2024-04-01")["number"] == "INV-2"


def test_rollover_enabled_later_on_a_used_sequence(api):
    key = create(api, id="Grown up", fixedPrefix="GU", prefixSeparator="-")
    issue(api, key)
    issue(api, key)
    body = {"rollover": {"isEnabled": True, "fiscalYearAffixPosition": "prefix", "separator": "-"}}
    assert api.patch(f"{BASE}/{key}", body, format="json").status_code == 200
    today = timezone.localdate()
    sequence = get(api, key)
    assert sequence["rollover"]["isEnabled"] is True
    assert sequence["rollover"]["enabledDate"] == today.isoformat()
    assert sequence["nextNumber"] == 1
    # Documents dated from today use fiscal-year counters; earlier ones keep the old counter.
    assert issue(api, key)["number"] == f"{today.year}-GU-1"
    assert issue(api, key, date=(today - datetime.timedelta(days=1)).isoformat())["value"] == 3
    # The query service reads the next number by the same rule as GET.
    rows = api.post(
        QUERY,
        {
            "object": "company-config/document-sequence",
            "fields": ["nextNumber"],
            "filters": [{"$eq": {"key": key}}],
        },
        format="json",
    ).json()["ia::result"]
    assert rows == [{"nextNumber": get(api, key)["nextNumber"]}] == [{"nextNumber": 2}]


def test_enabled_date_is_read_only(api):
    body = dict(SEED_CREATE, id="Dated", rollover={**SEED_CREATE["rollover"], "enabledDate": "2021-01-23"})
    assert error_of(api.post(BASE, body, format="json")) == (400, "read_only", "rollover.enabledDate")
    key = create(api, **SEED_CREATE)
    response = api.patch(f"{BASE}/{key}", {"rollover": {"enabledDate": "2021-01-23"}}, format="json")
    assert error_of(response) == (400, "read_only", "rollover.enabledDate")
    same = {"rollover": {"enabledDate": timezone.localdate().isoformat()}}
    assert api.patch(f"{BASE}/{key}", same, format="json").status_code == 200


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("key", "1"),
        ("href", "/objects/company-config/document-sequence/1"),
        ("whenModified", "2014-01-08T11:28:12Z"),
        ("audit", {"createdBy": "109"}),
    ],
)
def test_read_only_fields_are_refused_unless_unchanged(api, field, value):
    key = create(api, id="Guarded")
    assert error_of(api.patch(f"{BASE}/{key}", {field: value}, format="json")) == (400, "read_only", field)
    assert error_of(api.post(BASE, {"id": "New", field: value}, format="json")) == (400, "read_only", field)


def test_get_modify_patch_round_trips(api):
    key = create(api, **SEED_CREATE)
    before = get(api, key)
    body = dict(before, printTitle="Vendor Invoice (EU)")
    response = api.patch(f"{BASE}/{key}", body, format="json")
    assert response.status_code == 200, response.json()
    after = get(api, key)
    changed = {name for name in GET_FIELDS if after[name] != before[name]}
    assert changed <= {"printTitle", "whenModified", "audit"}
    assert after["printTitle"] == "Vendor Invoice (EU)"
    assert Sequence.objects.get(key=int(key)).counter_events.filter(kind="edit").count() == 0


def test_id_cannot_change(api):
    key = create(api, id="Fixed name")
    assert error_of(api.patch(f"{BASE}/{key}", {"id": "Renamed"}, format="json")) == (
        400,
        "id_immutable",
        "id",
    )
    assert api.patch(f"{BASE}/{key}", {"id": "Fixed name"}, format="json").status_code == 200


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"id": "X", "colour": "red"}, "colour"),
        ({"id": "X", "rollover": {"isEnabled": True, "mode": "yearly"}}, "rollover.mode"),
        ({"id": "X", "fiscalYears": [{"fiscalYear": 2024, "next": 3}]}, "fiscalYears[0].next"),
    ],
)
def test_unknown_fields_are_refused(api, body, field):
    assert error_of(api.post(BASE, body, format="json")) == (400, "unknown_parameter", field)


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"printTitle": "No id"}, "parameter_missing", "id"),
        ({"id": "X", "type": "roman"}, "invalid_type", "type"),
        ({"id": "X", "fixedLength": "seventeen"}, "invalid_fixed_length", "fixedLength"),
        ({"id": "X", "rollover": {"isEnabled": "yes"}}, "parameter_invalid", "rollover.isEnabled"),
        ({"id": "X", "rollover": {"isEnabled": True, "fiscalYearAffixPosition": "middle"}},
         "invalid_fiscal_year_affix", "rollover.fiscalYearAffixPosition"),
    ],
)  # fmt: skip
def test_bad_values_name_the_intacct_field(api, body, code, field):
    assert error_of(api.post(BASE, body, format="json")) == (400, code, field)


def test_a_taken_id_is_a_conflict(api):
    create(api, id="Once")
    assert error_of(api.post(BASE, {"id": "Once"}, format="json")) == (409, "sequence_name_taken", "id")


def test_inactive_sequences_are_hidden_from_the_list_but_gettable(api):
    key = create(api, id="Retired")
    assert api.patch(f"{BASE}/{key}", {"status": "inactive"}, format="json").status_code == 200
    assert key not in {row["key"] for row in api.get(BASE).json()["ia::result"]}
    assert get(api, key)["status"] == "inactive"


def test_another_entitys_keys_are_404(api, other_entity, make_client):
    theirs = create(make_client(other_entity), id="Theirs")
    for response in (
        api.get(f"{BASE}/{theirs}"),
        api.patch(f"{BASE}/{theirs}", {"printTitle": "Mine now"}, format="json"),
        api.delete(f"{BASE}/{theirs}"),
    ):
        assert error_of(response) == (404, "resource_missing", "key")
    assert theirs not in {row["key"] for row in api.get(BASE).json()["ia::result"]}
    assert Sequence.objects.get(key=int(theirs)).print_title == ""


def test_a_starting_number_that_would_change_nothing_is_refused_not_ignored(api):
    key = create(api, id="Started")
    issue(api, key)

    response = api.patch(f"{BASE}/{key}", {"startingNumber": 500}, format="json")

    assert error_of(response) == (409, "starting_number_in_use", "startingNumber")
    assert get(api, key)["startingNumber"] == 1
    assert api.patch(f"{BASE}/{key}", {"nextNumber": 500}, format="json").status_code == 200
