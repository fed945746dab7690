"""PORTOS numberings: create, replace, versions, deletes, refusals and tenancy (docs/dialects.md)."""

import datetime
import re

import pytest
from django.utils import timezone

from numbering.models import CounterEvent, Sequence
from tests.helpers import error_of

pytestmark = pytest.mark.django_db

BASE = "/portos/stocktransfernumberings"
ID = "5a0000000000000000000001"


def transfer(**changes) -> dict:
    """A monthly Transfer numbering with one period (March 2023, current number 4)."""
    body = {
        "id": ID,
        "isActive": True,
        "type": "Transfer",
        "format": "T-{yyyy}{MM}{i4}",
        "repeat": True,
        "numberings": [
            {
                "isActive": False,
                "createdAt": "2023-03-01T08:30:00Z",
                "startAt": "2023-03-01T00:00:00Z",
                "period": {"unit": "Month", "amount": 1},
                "currentNumber": 4,
            }
        ],
        "_v": 1,
    }
    body.update(changes)
    return body


def put(api, body: dict, portos_id: str = ID):
    return api.put(f"{BASE}/{portos_id}", body, format="json")


def issue(api, portos_id: str, date: str, entity) -> dict:
    sequence = Sequence.objects.get(entity=entity, portos_id=portos_id)
    response = api.post(
        f"/v1/document-sequences/{sequence.id}/generate-next-value", {"date": date}, format="json"
    )
    assert response.status_code == 201, response.json()
    return response.json()


# --- create -------------------------------------------------------------------------------------------


def test_post_without_an_id_generates_one(api):
    body = transfer()
    del body["id"]

    response = api.post(BASE, body, format="json")

    assert response.status_code == 201
    assert re.fullmatch(r"[0-9a-f]{24}", response.json()["id"])
    assert api.get(f"{BASE}/{response.json()['id']}").status_code == 200


def test_post_of_an_existing_id_is_a_409(api):
    api.post(BASE, transfer(), format="json")

    response = api.post(BASE, transfer(format="X-{yyyy}{MM}{n}"), format="json")

    assert error_of(response) == (409, "portos_id_taken", "id")
    assert api.get(f"{BASE}/{ID}").json()["format"] == "T-{yyyy}{MM}{i4}"


@pytest.mark.parametrize("bad", ["5A0000000000000000000001", "5a00", "5a000000000000000000000g", 42])
def test_an_id_that_is_not_24_lowercase_hex_characters_is_a_400(api, bad):
    response = api.post(BASE, transfer(id=bad), format="json")

    assert error_of(response) == (400, "invalid_portos_id", "id")


def test_put_to_a_path_id_that_is_not_24_lowercase_hex_characters_is_a_400(api):
    response = put(api, transfer(id=None), portos_id="not-an-object-id")

    assert error_of(response) == (400, "invalid_portos_id", "id")


def test_put_whose_body_id_differs_from_the_path_is_a_400(api):
    response = put(api, transfer(), portos_id="5a0000000000000000000002")

    assert error_of(response) == (400, "id_mismatch", "id")


def test_a_new_numbering_starts_at_version_1(api):
    response = put(api, transfer(_v=3))

    assert error_of(response) == (409, "version_mismatch", "_v")
    assert api.get(f"{BASE}/{ID}").status_code == 404


def test_the_numbering_in_force_today_is_the_active_one(api):
    this_month = timezone.localdate().replace(day=1)
    body = transfer()
    body["numberings"].append({**body["numberings"][0], "startAt": f"{this_month.isoformat()}T00:00:00Z"})

    numberings = api.post(BASE, body, format="json").json()["numberings"]

    assert [(entry["startAt"][:10], entry["isActive"]) for entry in numberings] == [
        ("2023-03-01", False),
        (this_month.isoformat(), True),
    ]


def test_a_numbering_that_does_not_repeat_has_one_counter_from_the_first_day(api, entity):
    body = transfer(
        format="T-{n}",
        repeat=False,
        numberings=[{"startAt": "0001-01-01T00:00:00Z", "period": None, "currentNumber": 41}],
    )

    created = api.post(BASE, body, format="json")

    assert created.status_code == 201, created.json()
    assert created.json()["repeat"] is False
    assert created.json()["numberings"][0] | {"createdAt": None} == {
        "isActive": True,
        "createdAt": None,
        "startAt": "0001-01-01T00:00:00Z",
        "period": None,
        "currentNumber": 41,
    }
    assert Sequence.objects.get(entity=entity, portos_id=ID).reset == "never"
    assert issue(api, ID, "2026-02-03", entity)["number"] == "T-42"


def test_inactive_maps_to_the_sequence_status(api, entity):
    api.post(BASE, transfer(isActive=False), format="json")

    assert Sequence.objects.get(entity=entity, portos_id=ID).status == "inactive"
    assert api.get(f"{BASE}/{ID}").json()["isActive"] is False


def test_type_may_be_null(api, entity):
    response = api.post(BASE, transfer(type=None), format="json")

    assert response.json()["type"] is None
    assert Sequence.objects.get(entity=entity, portos_id=ID).name == f"Numbering {ID}"


# --- refusals of the body -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "code", "param"),
    [
        (transfer(colour="red"), "unknown_parameter", "colour"),
        (
            transfer(numberings=[{**transfer()["numberings"][0], "label": "x"}]),
            "unknown_parameter",
            "numberings[0].label",
        ),
        (
            transfer(
                numberings=[
                    {**transfer()["numberings"][0], "period": {"unit": "Month", "amount": 1, "day": 1}}
                ]
            ),
            "unknown_parameter",
            "numberings[0].period.day",
        ),
        (transfer(type="Shipment"), "invalid_type", "type"),
        (transfer(isActive="yes"), "parameter_invalid", "isActive"),
        (transfer(format=None), "parameter_missing", "format"),
        (transfer(format="T-{yyyy}{MM}{x}"), "unknown_format_token", "format"),
        (transfer(repeat=None), "parameter_missing", "repeat"),
        (transfer(_v="1"), "parameter_invalid", "_v"),
        (transfer(numberings={}), "parameter_invalid", "numberings"),
        (
            transfer(numberings=[{**transfer()["numberings"][0], "currentNumber": -1}]),
            "parameter_invalid",
            "numberings[0].currentNumber",
        ),
        (
            transfer(numberings=[{**transfer()["numberings"][0], "startAt": "2023-03-01T10:00:00Z"}]),
            "invalid_start_at",
            "numberings[0].startAt",
        ),
        (
            transfer(numberings=[{**transfer()["numberings"][0], "startAt": "9999-12-01T00:00:00Z"}]),
            "invalid_start_at",
            "numberings[0].startAt",
        ),
        (
            transfer(
                numberings=[
                    {"startAt": "0001-01-01T00:00:00Z", "currentNumber": 1},
                    transfer()["numberings"][0],
                ]
            ),
            "period_mismatch",
            "numberings[0].startAt",
        ),
        (
            transfer(numberings=[{**transfer()["numberings"][0], "createdAt": "0001-01-01T00:00:00+01:00"}]),
            "parameter_invalid",
            "numberings[0].createdAt",
        ),
        (
            transfer(numberings=[{**transfer()["numberings"][0], "currentNumber": 2**63}]),
            "invalid_next_number",
            "numberings[0].currentNumber",
        ),
        (
            transfer(numberings=[{**transfer()["numberings"][0], "createdAt": "yesterday"}]),
            "parameter_invalid",
            "numberings[0].createdAt",
        ),
        (
            transfer(numberings=[{**transfer()["numberings"][0], "period": {"unit": "Week", "amount": 1}}]),
            "invalid_period_unit",
            "numberings[0].period.unit",
        ),
    ],
    ids=lambda value: value if isinstance(value, str) else None,
)
def test_a_bad_body_is_a_400_naming_the_field(api, body, code, param):
    response = api.post(BASE, body, format="json")

    assert error_of(response) == (400, code, param)
    assert not Sequence.objects.filter(portos_id=ID).exists()


def test_repeat_without_a_period_is_a_400_that_says_what_to_send(api):
    response = api.post(BASE, transfer(numberings=[]), format="json")

    assert error_of(response) == (400, "period_required", "numberings")
    assert "period" in response.json()["error"]["message"]


def test_numberings_of_one_numbering_share_one_period(api):
    body = transfer()
    body["numberings"].append(
        {**body["numberings"][0], "startAt": "2023-04-01T00:00:00Z", "period": {"unit": "Month", "amount": 2}}
    )

    assert error_of(api.post(BASE, body, format="json")) == (400, "period_mismatch", "numberings[1].period")


def test_a_numbering_that_does_not_repeat_has_no_period(api):
    response = api.post(BASE, transfer(repeat=False), format="json")

    assert error_of(response) == (400, "period_not_allowed", "numberings[0].period")


def test_a_start_that_is_not_the_first_day_of_a_period_is_a_400(api):
    body = transfer()
    body["numberings"].append({**body["numberings"][0], "startAt": "2023-05-15T00:00:00Z"})

    assert error_of(api.post(BASE, body, format="json")) == (400, "period_mismatch", "numberings[1].startAt")


# --- replace (PUT) ------------------------------------------------------------------------------------


def test_put_replaces_and_what_was_put_is_what_get_returns(api, entity):
    assert put(api, transfer()).status_code == 201
    replacement = transfer(isActive=False, type="Correction", format="K-{yyyy}{MM}{i5}")
    replacement["numberings"][0]["currentNumber"] = 20

    response = put(api, replacement)

    assert response.status_code == 200
    expected = {**replacement, "_v": 2}
    for body in (response.json(), api.get(f"{BASE}/{ID}").json()):
        assert body == expected
    sequence = Sequence.objects.get(entity=entity, portos_id=ID)
    # The derived name follows the type; the counter's move is a recorded event skipping 5..20.
    assert sequence.name == f"Correction {ID}"
    event = CounterEvent.objects.get(sequence=sequence, kind=CounterEvent.Kind.EDIT)
    assert (event.value_before, event.value_after) == (4, 20)


def test_put_adds_a_period(api):
    put(api, transfer())
    body = transfer()
    body["numberings"].append(
        {**body["numberings"][0], "startAt": "2023-04-01T00:00:00Z", "currentNumber": 0}
    )

    response = put(api, body)

    assert response.status_code == 200
    assert [(e["startAt"], e["currentNumber"]) for e in response.json()["numberings"]] == [
        ("2023-03-01T00:00:00Z", 4),
        ("2023-04-01T00:00:00Z", 0),
    ]
    assert response.json()["_v"] == 2


def test_each_change_increments_the_version_and_a_stale_one_is_a_409(api):
    put(api, transfer())
    assert put(api, transfer(format="T-{yyyy}{MM}{i5}")).json()["_v"] == 2

    stale = put(api, transfer(format="T-{yyyy}{MM}{i6}", _v=1))

    assert error_of(stale) == (409, "version_mismatch", "_v")
    assert api.get(f"{BASE}/{ID}").json()["format"] == "T-{yyyy}{MM}{i5}"
    assert put(api, transfer(format="T-{yyyy}{MM}{i6}", _v=2)).json()["_v"] == 3


def test_put_without_a_version_replaces_whatever_the_version_is(api):
    put(api, transfer())
    put(api, transfer(format="T-{yyyy}{MM}{i5}"))

    body = transfer(format="T-{yyyy}{MM}{i6}")
    del body["_v"]

    assert put(api, body).json()["_v"] == 3


def test_a_current_number_below_what_was_issued_is_a_409(api, entity):
    put(api, transfer())
    assert issue(api, ID, "2023-03-20", entity)["number"] == "T-2023030005"
    body = transfer()
    body["numberings"][0]["currentNumber"] = 3

    response = put(api, body)

    assert error_of(response) == (409, "counter_decrement", "numberings[0].currentNumber")
    assert api.get(f"{BASE}/{ID}").json()["numberings"][0]["currentNumber"] == 5


def test_a_used_numbering_cannot_change_its_period(api, entity):
    put(api, transfer())
    issue(api, ID, "2023-03-20", entity)
    body = transfer()
    body["numberings"][0]["period"] = {"unit": "Month", "amount": 3}

    assert put(api, body).status_code == 409


def test_a_structured_sequence_put_back_as_read_keeps_its_layout(api, entity):
    sequence = Sequence.objects.get(entity=entity, counter_type="invoice")
    read = api.get(f"{BASE}/{sequence.portos_id}").json()
    assert (read["format"], read["repeat"], read["type"]) == ("INV{i7}", False, None)

    response = put(api, read, portos_id=sequence.portos_id)

    assert response.status_code == 200
    assert response.json() == read
    sequence.refresh_from_db()
    assert (sequence.format, sequence.fixed_prefix, sequence.fixed_length, sequence.version) == (
        "",
        "INV",
        7,
        1,
    )
    assert sequence.name == "Invoice"  # a native name is never rewritten


def test_put_of_a_fiscal_year_sequence_as_read_keeps_its_reset(api, entity):
    created = api.post(
        "/v1/document-sequences",
        {
            "name": "PO",
            "fixed_prefix": "PO",
            "rollover": {"is_enabled": True, "fiscal_year_affix_position": "prefix"},
        },
        format="json",
    ).json()
    api.post(
        f"/v1/document-sequences/{created['id']}/generate-next-value", {"date": "2026-06-01"}, format="json"
    )
    sequence = Sequence.objects.get(pk=created["id"])
    read = api.get(f"{BASE}/{sequence.portos_id}").json()
    assert read["repeat"] is True
    assert read["numberings"][0]["period"] == {"unit": "Year", "amount": 1}

    response = put(api, read, portos_id=sequence.portos_id)

    assert response.status_code == 200
    sequence.refresh_from_db()
    assert sequence.reset == "fiscal_year"


# --- delete -------------------------------------------------------------------------------------------


def test_delete_of_an_unused_numbering_answers_200_with_it(api):
    created = put(api, transfer()).json()

    response = api.delete(f"{BASE}/{ID}")

    assert (response.status_code, response.json()) == (200, created)
    assert error_of(api.get(f"{BASE}/{ID}")) == (404, "not_found", "id")


def test_delete_of_a_numbering_that_issued_numbers_is_a_409(api, entity):
    put(api, transfer())
    issue(api, ID, "2023-03-02", entity)

    response = api.delete(f"{BASE}/{ID}")

    assert error_of(response)[:2] == (409, "sequence_in_use")
    assert api.get(f"{BASE}/{ID}").status_code == 200


def test_unknown_ids_are_404(api):
    for response in (
        api.get(f"{BASE}/{ID}"),
        api.delete(f"{BASE}/{ID}"),
        api.get(f"{BASE}/NOT-AN-ID"),
    ):
        assert error_of(response) == (404, "not_found", "id")


# --- tenancy, keys and paths --------------------------------------------------------------------------


def test_another_entitys_key_sees_none_of_its_numberings(api, other_entity, make_client):
    put(api, transfer())
    other = make_client(other_entity)

    assert error_of(other.get(f"{BASE}/{ID}"))[0] == 404
    assert error_of(other.delete(f"{BASE}/{ID}"))[0] == 404
    assert ID not in {item["id"] for item in other.get(BASE).json()["items"]}
    assert other.get(BASE, {"id": ID}).json() == {"items": [], "count": 0, "totalCount": 0}
    # The same id is free in another entity: its PUT creates its own numbering.
    assert put(other, transfer(format="O-{yyyy}{MM}{n}")).status_code == 201
    assert api.get(f"{BASE}/{ID}").json()["format"] == "T-{yyyy}{MM}{i4}"


def test_keys_and_scopes_are_the_native_ones(entity, make_client, client_for_token):
    reader = make_client(entity, scopes=["numbering:read"])

    assert error_of(client_for_token(None).get(BASE))[:2] == (401, "missing_api_key")
    assert error_of(reader.post(BASE, transfer(), format="json"))[:2] == (403, "insufficient_scope")
    assert error_of(reader.put(f"{BASE}/{ID}", transfer(), format="json"))[:2] == (403, "insufficient_scope")
    assert reader.get(BASE).status_code == 200


def test_unknown_portos_paths_answer_the_404_envelope(api):
    response = api.post("/portos/stocktransfers", {}, format="json")

    assert error_of(response)[:2] == (404, "not_found")


def test_a_query_parameter_on_a_single_numbering_is_a_400(api):
    put(api, transfer())

    assert error_of(api.get(f"{BASE}/{ID}", {"$take": "1"})) == (400, "unknown_parameter", "$take")


def test_created_at_round_trips_to_the_microsecond(api, entity):
    body = transfer()
    body["numberings"][0]["createdAt"] = "2023-03-01T08:30:00.123456Z"

    put(api, body)

    assert api.get(f"{BASE}/{ID}").json()["numberings"][0]["createdAt"] == "2023-03-01T08:30:00.123456Z"
    period = Sequence.objects.get(entity=entity, portos_id=ID).periods.get()
    assert period.created_at == datetime.datetime(2023, 3, 1, 8, 30, 0, 123456, tzinfo=datetime.UTC)


def test_a_used_numbering_cannot_start_repeating_its_printed_numbers(api, entity):
    sequence = Sequence.objects.get(entity=entity, counter_type="invoice")
    issue(api, sequence.portos_id, "2026-03-01", entity)
    before = api.get(f"{BASE}/{sequence.portos_id}").json()
    # A format string prints its dates: a monthly restart would print numbers the old counter printed.
    body = before | {
        "format": "INV-{yyyy}{MM}-{i4}",
        "repeat": True,
        "numberings": [
            {"startAt": "2027-01-01T00:00:00Z", "period": {"unit": "Month", "amount": 1}, "currentNumber": 0}
        ],
    }

    refused = put(api, body, portos_id=sequence.portos_id)

    assert refused.status_code == 409, refused.json()
    assert (refused.json()["error"]["code"], refused.json()["error"]["param"]) == (
        "sequence_in_use",
        "repeat",
    )
    assert api.get(f"{BASE}/{sequence.portos_id}").json() == before


def test_an_idempotency_key_replays_a_post_instead_of_refusing_the_id(api):
    headers = {"HTTP_IDEMPOTENCY_KEY": "portos-create-1"}
    first = api.post(BASE, transfer(), format="json", **headers)

    again = api.post(BASE, transfer(), format="json", **headers)

    assert (first.status_code, again.status_code) == (201, 201)
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
