"""PORTOS lists: NData filters, $sort, $skip/$take paging and $count (docs/dialects.md)."""

import pytest
from django.db.models import Q
from django.http import QueryDict

from dialects.portos.ndata import query_parse
from dialects.portos.views import FILTERS, SORT_KEYS
from tests.helpers import error_of

pytestmark = pytest.mark.django_db

BASE = "/portos/stocktransfernumberings"
TYPES = ["Outcome", "Transfer", "Correction", "Invoice"]
# (id, type, isActive, repeat); the entity's five default sequences (no type, active) come on top.
NUMBERINGS = [
    ("5a0000000000000000000001", "Outcome", True, True),
    ("5a0000000000000000000002", "Transfer", False, False),
    ("5a0000000000000000000003", "Correction", True, False),
    ("5a0000000000000000000004", "Invoice", False, True),
    ("5a0000000000000000000005", "Invoice", True, False),
    ("5a0000000000000000000006", "Transfer", True, True),
]


@pytest.fixture
def listing(api):
    """Create the numberings above (the one Transfer changed once, so _v differs) and return the full list."""
    for portos_id, type_, active, repeat in NUMBERINGS:
        body = {"isActive": active, "type": type_, "format": f"{type_[0]}-{{yyyy}}{{i3}}", "repeat": repeat}
        if repeat:
            body["numberings"] = [
                {
                    "startAt": "2024-01-01T00:00:00Z",
                    "period": {"unit": "Year", "amount": 1},
                    "currentNumber": 2,
                }
            ]
        else:
            body["format"] = f"{type_[0]}{portos_id[-1]}-{{i3}}"
        assert api.put(f"{BASE}/{portos_id}", body, format="json").status_code == 201
    api.put(f"{BASE}/{NUMBERINGS[5][0]}", {**body, "format": "T-{yyyy}{i4}", "repeat": True}, format="json")
    items = api.get(BASE).json()["items"]
    assert len(items) == 11
    return items


def ids(response) -> list[str]:
    assert response.status_code == 200, response.json()
    return [item["id"] for item in response.json()["items"]]


def type_rank(item) -> int:
    return 0 if item["type"] is None else TYPES.index(item["type"]) + 1


# --- filters -----------------------------------------------------------------------------------------


def test_id_returns_exactly_that_numbering(api, listing):
    response = api.get(BASE, {"id": NUMBERINGS[1][0]})

    assert response.json() == {
        "items": [i for i in listing if i["id"] == NUMBERINGS[1][0]],
        "count": 1,
        "totalCount": 1,
    }


@pytest.mark.parametrize(
    ("expression", "keep"),
    [
        ("true", lambda active: active),
        ("false", lambda active: not active),
        ("TRUE", lambda active: active),
        ("eq:true", lambda active: active),
        ("neq:true", lambda active: not active),
        ("lt:true", lambda active: not active),
        ("lte:true", lambda active: True),
        ("gt:false", lambda active: active),
        ("gte:false", lambda active: True),
        ("lt:false", lambda active: False),
        ("gt:true", lambda active: False),
        ("in:true", lambda active: active),
        ("in:true:false", lambda active: True),
        ("nin:false", lambda active: active),
        ("nin:true:false", lambda active: False),
    ],
)
def test_is_active_with_every_operator(api, listing, expression, keep):
    response = api.get(BASE, {"isActive": expression})

    expected = [item["id"] for item in listing if keep(item["isActive"])]
    assert ids(response) == expected
    assert response.json()["count"] == response.json()["totalCount"] == len(expected)


@pytest.mark.parametrize(
    ("expression", "keep"),
    [
        ("Invoice", lambda rank: rank == 4),
        ("invoice", lambda rank: rank == 4),
        ("eq:Transfer", lambda rank: rank == 2),
        ("neq:Transfer", lambda rank: rank != 2),
        ("lt:Correction", lambda rank: 1 <= rank < 3),
        ("lte:Correction", lambda rank: 1 <= rank <= 3),
        ("gt:Transfer", lambda rank: rank > 2),
        ("gte:Transfer", lambda rank: rank >= 2),
        ("in:Outcome", lambda rank: rank == 1),
        ("in:Outcome:Invoice", lambda rank: rank in (1, 4)),
        ("IN:outcome:INVOICE:Correction", lambda rank: rank in (1, 3, 4)),
        ("nin:Outcome", lambda rank: rank != 1),
        ("nin:Outcome:Invoice:Transfer", lambda rank: rank not in (1, 2, 4)),
    ],
)
def test_type_with_every_operator(api, listing, expression, keep):
    expected = [item["id"] for item in listing if keep(type_rank(item))]

    assert ids(api.get(BASE, {"type": expression})) == expected


@pytest.mark.parametrize(
    ("operator", "keep"),
    [
        ("eq", lambda a, b: a == b),
        ("neq", lambda a, b: a != b),
        ("lt", lambda a, b: a < b),
        ("lte", lambda a, b: a <= b),
        ("gt", lambda a, b: a > b),
        ("gte", lambda a, b: a >= b),
    ],
)
def test_id_with_every_comparison(api, listing, operator, keep):
    pivot = NUMBERINGS[2][0]
    expected = {item["id"] for item in listing if keep(item["id"], pivot)}

    assert set(ids(api.get(BASE, {"id": f"{operator}:{pivot}"}))) == expected


def test_id_in_and_nin_take_several_ids(api, listing):
    chosen = [NUMBERINGS[0][0], NUMBERINGS[3][0], NUMBERINGS[5][0]]

    assert set(ids(api.get(BASE, {"id": "in:" + ":".join(chosen)}))) == set(chosen)
    assert set(ids(api.get(BASE, {"id": "nin:" + ":".join(chosen)}))) == {i["id"] for i in listing} - set(
        chosen
    )


def test_semicolons_and_repeated_parameters_are_anded(api, listing):
    expected = [item["id"] for item in listing if item["type"] not in ("Outcome", "Invoice")]

    assert ids(api.get(BASE, {"type": "neq:Outcome;neq:Invoice"})) == expected
    assert ids(api.get(f"{BASE}?type=neq:Outcome&type=neq:Invoice")) == expected
    assert ids(api.get(f"{BASE}?type=gte:Transfer;lte:Invoice&type=nin:Correction")) == [
        item["id"] for item in listing if item["type"] in ("Transfer", "Invoice")
    ]


def test_filters_on_different_properties_are_anded(api, listing):
    response = api.get(BASE, {"isActive": "true", "type": "in:Invoice:Transfer"})

    assert ids(response) == [NUMBERINGS[5][0], NUMBERINGS[4][0]]  # by type (Transfer, Invoice), then id


# --- sorting -----------------------------------------------------------------------------------------

SORT_VALUES = {
    "id": lambda item: item["id"],
    "isactive": lambda item: item["isActive"],
    "type": type_rank,
    "format": lambda item: item["format"],
    "repeat": lambda item: item["repeat"],
    "_v": lambda item: item["_v"],
}


def sorted_by(items, *keys: tuple[str, bool]) -> list[str]:
    """Sort the full list in Python as the contract says: by each key, then by id."""
    rows = sorted(items, key=lambda item: item["id"])
    for name, descending in reversed(keys):
        rows.sort(key=SORT_VALUES[name], reverse=descending)
    return [item["id"] for item in rows]


@pytest.mark.parametrize(
    ("sort", "keys"),
    [
        ("id", [("id", False)]),
        ("-id", [("id", True)]),
        ("id:desc", [("id", True)]),
        ("ID:DESC", [("id", True)]),
        ("type", [("type", False)]),
        ("type:asc", [("type", False)]),
        ("-type", [("type", True)]),
        ("isActive", [("isactive", False)]),
        ("isactive:desc,type", [("isactive", True), ("type", False)]),
        ("format", [("format", False)]),
        ("-repeat,-_v", [("repeat", True), ("_v", True)]),
        ("_v:desc, type:desc", [("_v", True), ("type", True)]),
    ],
)
def test_sort_keys_directions_and_case(api, listing, sort, keys):
    assert ids(api.get(BASE, {"$sort": sort})) == sorted_by(listing, *keys)


def test_without_sort_the_list_is_by_type_then_id(listing):
    assert [item["id"] for item in listing] == sorted_by(listing, ("type", False))


def test_repeated_sort_parameters_add_keys(api, listing):
    assert ids(api.get(f"{BASE}?$sort=repeat&$sort=-id")) == sorted_by(
        listing, ("repeat", False), ("id", True)
    )


# --- paging and counting ----------------------------------------------------------------------------


@pytest.mark.parametrize("sort", [None, "isActive", "-repeat", "type:desc", "_v", "format"])
@pytest.mark.parametrize("take", [1, 3, 4])
def test_skip_and_take_pages_cover_every_item_once(api, listing, sort, take):
    query = {"$sort": sort} if sort else {}
    whole = ids(api.get(BASE, query))
    pages = []
    for skip in range(0, len(whole) + take, take):
        page = api.get(BASE, {**query, "$skip": skip, "$take": take}).json()
        assert page["count"] == len(page["items"]) == min(take, max(0, len(whole) - skip))
        assert page["totalCount"] == len(whole)
        pages += [item["id"] for item in page["items"]]

    assert pages == whole
    assert sorted(pages) == sorted(item["id"] for item in listing)


def test_skip_without_take_returns_the_rest(api, listing):
    assert ids(api.get(BASE, {"$skip": 8})) == [item["id"] for item in listing][8:]


def test_take_is_at_most_1000(api, listing):
    assert len(ids(api.get(BASE, {"$take": 1000}))) == 11
    assert error_of(api.get(BASE, {"$take": 1001})) == (400, "parameter_invalid", "$take")


def test_count_true_returns_only_the_counts(api, listing):
    assert api.get(BASE, {"$count": "true"}).json() == {"count": 11, "totalCount": 11}
    assert api.get(BASE, {"$count": "true", "$take": 2, "isActive": "false"}).json() == {
        "count": 2,
        "totalCount": 2,
    }
    assert api.get(BASE, {"$count": "true", "$skip": 10, "$take": 5}).json() == {"count": 1, "totalCount": 11}
    assert "items" in api.get(BASE, {"$count": "false"}).json()


# --- refusals ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("query", "code", "param"),
    [
        ("name=Invoice", "unknown_parameter", "name"),
        ("isactive=true", "unknown_parameter", "isactive"),
        ("$top=5", "unknown_parameter", "$top"),
        ("type=like:Out", "unknown_operator", "type"),
        ("isActive=ne:true", "unknown_operator", "isActive"),
        ("$sort=name", "unknown_sort_key", "$sort"),
        ("$sort=type,", "unknown_sort_key", "$sort"),
        ("$sort=type:up", "parameter_invalid", "$sort"),
        ("$sort=-type:desc", "parameter_invalid", "$sort"),
        ("$sort=type,-type", "parameter_invalid", "$sort"),
        ("isActive=maybe", "parameter_invalid", "isActive"),
        ("type=Shipment", "parameter_invalid", "type"),
        ("type=in:Outcome:Shipment", "parameter_invalid", "type"),
        ("type=eq:Outcome:Invoice", "parameter_invalid", "type"),
        ("type=in:", "parameter_invalid", "type"),
        ("type=", "parameter_invalid", "type"),
        ("type=Outcome;", "parameter_invalid", "type"),
        ("id=5A0000000000000000000001", "parameter_invalid", "id"),
        ("id=lt:abc", "parameter_invalid", "id"),
        ("$skip=-1", "parameter_invalid", "$skip"),
        ("$take=ten", "parameter_invalid", "$take"),
        ("$take=1&$take=2", "parameter_invalid", "$take"),
        ("$count=yes", "parameter_invalid", "$count"),
    ],
)
def test_an_unknown_or_bad_query_is_a_400(api, query, code, param):
    assert error_of(api.get(f"{BASE}?{query}")) == (400, code, param)


# --- the parser on its own ---------------------------------------------------------------------------


@pytest.mark.django_db(databases=[])
def test_the_parser_builds_q_objects_over_stored_columns():
    query = query_parse(
        QueryDict("type=lt:Correction;nin:Outcome&isActive=gte:true&$sort=-TYPE,id:asc&$skip=2&$take=5"),
        filters=FILTERS,
        sort_keys=SORT_KEYS,
    )

    # Filters are ANDed in the order id, isActive, type.
    assert query.where == (
        Q(status__in=["active"])
        & Q(stock_transfer_type__in=["Outcome", "Transfer"])
        & ~Q(stock_transfer_type="Outcome")
    )
    assert (query.sort, query.skip, query.take, query.count_only) == (
        (("type", True), ("id", False)),
        2,
        5,
        False,
    )
