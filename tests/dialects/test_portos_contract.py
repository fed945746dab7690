"""Every request sample of the PORTOS stock transfer numbering contract, sent as printed (docs/dialects.md).

The contract prints one StockTransferNumbering object as the get response, the POST body, the PUT body and
the delete response (the same text each time), and one list response. `numberings[].isActive` is derived
(the period in force today), so comparisons leave it out and check it on its own.
"""

import json

import pytest

from numbering.models import CounterEvent, Sequence

pytestmark = pytest.mark.django_db

BASE = "/portos/stocktransfernumberings"
INVOICE_ID = "59919dd9c5960398d3774164"

# The list response sample, as printed.
LIST_SAMPLE = r"""
{
    "items":
    [
        {
            "id": "59919dc4c5960398d3774162",
            "isActive": true,
            "type": "Outcome",
            "format": "V-{yyyy}{MM}{i4}",
            "repeat": true,
            "numberings":
            [
                {
                    "isActive": true,
                    "createdAt": "2023-01-01T00:00:00Z",
                    "startAt": "2023-01-01T00:00:00Z",
                    "period":
                    {
                        "unit": "Month",
                        "amount": 1
                    },
                    "currentNumber": 1
                }
            ],
            "_v": 1
        },
        {
            "id": "59919dcac5960398d3774163",
            "isActive": true,
            "type": "Transfer",
            "format": "T-{yyyy}{MM}{i4}",
            "repeat": true,
            "numberings":
            [
                {
                    "isActive": true,
                    "createdAt": "2023-01-01T00:00:00Z",
                    "startAt": "2023-01-01T00:00:00Z",
                    "period":
                    {
                        "unit": "Month",
                        "amount": 1
                    },
                    "currentNumber": 1
                }
            ],
            "_v": 1
        },
        {
            "id": "59919e02c5960398d3774165",
            "isActive": true,
            "type": "Correction",
            "format": "K-{yyyy}{MM}{i4}",
            "repeat": true,
            "numberings":
            [
                {
                    "isActive": true,
                    "createdAt": "2023-01-01T00:00:00Z",
                    "startAt": "2023-01-01T00:00:00Z",
                    "period":
                    {
                        "unit": "Month",
                        "amount": 1
                    },
                    "currentNumber": 1
                }
            ],
            "_v": 1
        },
        {
            "id": "59919dd9c5960398d3774164",
            "isActive": true,
            "type": "Invoice",
            "format": "FA-{yyyy}{i4}",
            "repeat": true,
            "numberings":
            [
                {
                    "isActive": true,
                    "createdAt": "2022-01-01T00:00:00Z",
                    "startAt": "2022-01-01T00:00:00Z",
                    "period":
                    {
                        "unit": "Year",
                        "amount": 1
                    },
                    "currentNumber": 12
                },
                {
                    "isActive": true,
                    "createdAt": "2023-01-16T09:01:55.711Z",
                    "startAt": "2023-01-01T00:00:00Z",
                    "period":
                    {
                        "unit": "Year",
                        "amount": 1
                    },
                    "currentNumber": 8
                }
            ],
            "_v": 1
        }
    ],
    "count": 4,
    "totalCount": 4
}
"""

# The object printed for GET /stocktransfernumberings/{id}, the POST and PUT bodies and the DELETE response.
OBJECT_SAMPLE = r"""
{
    "id": "59919dd9c5960398d3774164",
    "isActive": true,
    "type": "Invoice",
    "format": "FA-{yyyy}{i4}",
    "repeat": true,
    "numberings":
    [
        {
            "isActive": true,
            "createdAt": "2022-01-01T00:00:00Z",
            "startAt": "2022-01-01T00:00:00Z",
            "period":
            {
                "unit": "Year",
                "amount": 1
            },
            "currentNumber": 12
        },
        {
            "isActive": true,
            "createdAt": "2023-01-16T09:01:55.711Z",
            "startAt": "2023-01-01T00:00:00Z",
            "period":
            {
                "unit": "Year",
                "amount": 1
            },
            "currentNumber": 8
        }
    ],
    "_v": 1
}
"""


def without_derived(numbering: dict) -> dict:
    """Return a numbering without numberings[].isActive, which the server derives from today's date."""
    return {
        **numbering,
        "numberings": [
            {key: value for key, value in entry.items() if key != "isActive"}
            for entry in numbering["numberings"]
        ],
    }


def post_text(api, text: str):
    """POST a body exactly as printed."""
    return api.generic("POST", BASE, text, content_type="application/json")


def put_text(api, portos_id: str, text: str):
    """PUT a body exactly as printed."""
    return api.generic("PUT", f"{BASE}/{portos_id}", text, content_type="application/json")


def test_post_sample_answers_201_with_the_object_and_stores_it_as_a_sequence(api, entity):
    response = post_text(api, OBJECT_SAMPLE)

    assert response.status_code == 201
    assert without_derived(response.json()) == without_derived(json.loads(OBJECT_SAMPLE))
    sequence = Sequence.objects.get(entity=entity, portos_id=INVOICE_ID)
    assert (sequence.name, sequence.stock_transfer_type, sequence.status) == (
        f"Invoice {INVOICE_ID}",
        "Invoice",
        "active",
    )
    assert (sequence.format, sequence.reset, sequence.period_unit, sequence.period_amount) == (
        "FA-{yyyy}{i4}",
        "custom",
        "year",
        1,
    )
    periods = [
        (p.start.isoformat(), p.last_value, p.created_at.isoformat())
        for p in sequence.periods.order_by("start")
    ]
    assert periods == [
        ("2022-01-01", 12, "2022-01-01T00:00:00+00:00"),
        ("2023-01-01", 8, "2023-01-16T09:01:55.711000+00:00"),
    ]


def test_get_one_sample_returns_what_was_posted(api):
    post_text(api, OBJECT_SAMPLE)

    response = api.get(f"{BASE}/{INVOICE_ID}")

    assert response.status_code == 200
    assert without_derived(response.json()) == without_derived(json.loads(OBJECT_SAMPLE))
    # Neither period of the sample is the one in force today (2022 and 2023 have passed).
    assert [entry["isActive"] for entry in response.json()["numberings"]] == [False, False]


def test_put_sample_creates_with_201_then_replaces_with_200(api):
    created = put_text(api, INVOICE_ID, OBJECT_SAMPLE)
    replaced = put_text(api, INVOICE_ID, OBJECT_SAMPLE)

    assert created.status_code == 201
    assert replaced.status_code == 200
    for response in (created, replaced, api.get(f"{BASE}/{INVOICE_ID}")):
        assert without_derived(response.json()) == without_derived(json.loads(OBJECT_SAMPLE))
    # Replacing with the same object changes nothing, so the version stays.
    assert replaced.json()["_v"] == 1


def test_delete_sample_answers_200_with_the_deleted_object(api):
    post_text(api, OBJECT_SAMPLE)

    response = api.delete(f"{BASE}/{INVOICE_ID}")

    assert response.status_code == 200
    assert without_derived(response.json()) == without_derived(json.loads(OBJECT_SAMPLE))
    assert api.get(f"{BASE}/{INVOICE_ID}").status_code == 404
    assert not Sequence.objects.filter(portos_id=INVOICE_ID).exists()


def test_list_sample_is_what_the_four_sample_numberings_list_as(api):
    sample = json.loads(LIST_SAMPLE)
    for item in sample["items"]:
        assert api.post(BASE, item, format="json").status_code == 201
    # The entity's default sequences are numberings too (no type): remove them to list only the sample's.
    for item in api.get(BASE, {"type": "nin:Outcome:Transfer:Correction:Invoice"}).json()["items"]:
        assert api.delete(f"{BASE}/{item['id']}").status_code == 200

    response = api.get(BASE)

    assert response.status_code == 200
    listed = response.json()
    assert (listed["count"], listed["totalCount"]) == (4, 4)
    assert [without_derived(item) for item in listed["items"]] == [
        without_derived(i) for i in sample["items"]
    ]


def test_list_without_query_counts_every_sequence_of_the_entity(api):
    post_text(api, OBJECT_SAMPLE)

    listed = api.get(BASE).json()

    # The sample plus the entity's five default sequences, shown with their effective formats.
    assert (listed["count"], listed["totalCount"], len(listed["items"])) == (6, 6, 6)
    defaults = [item for item in listed["items"] if item["type"] is None]
    assert {item["format"] for item in defaults} == {"INV{i7}", "BILL{i7}", "VC{i7}", "APP{i7}", "JE{i7}"}
    assert all(item["repeat"] is False and item["numberings"] == [] for item in defaults)


def test_issuing_in_a_sample_period_continues_from_its_current_number(api, entity):
    post_text(api, OBJECT_SAMPLE)
    sequence = Sequence.objects.get(entity=entity, portos_id=INVOICE_ID)

    in_2023 = api.post(
        f"/v1/document-sequences/{sequence.id}/generate-next-value", {"date": "2023-06-30"}, format="json"
    )
    in_2022 = api.post(
        f"/v1/document-sequences/{sequence.id}/generate-next-value", {"date": "2022-02-01"}, format="json"
    )

    assert (in_2023.status_code, in_2023.json()["value"], in_2023.json()["number"]) == (201, 9, "FA-20230009")
    assert (in_2022.json()["value"], in_2022.json()["number"]) == (13, "FA-20220013")
    current = [entry["currentNumber"] for entry in api.get(f"{BASE}/{INVOICE_ID}").json()["numberings"]]
    assert current == [13, 9]
    assert not CounterEvent.objects.filter(sequence=sequence, kind=CounterEvent.Kind.EDIT).exists()
