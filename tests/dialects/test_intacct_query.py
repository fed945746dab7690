"""The Intacct query service (POST /ia/api/v1/services/core/query): the contract's sample, every operator and
date macro, filter expressions, paging, aggregates, case folding, hidden inactive sequences and refusals."""

import datetime

import pytest
from django.utils import timezone

from numbering.models import Sequence

pytestmark = pytest.mark.django_db

BASE = "/ia/api/v1/objects/company-config/document-sequence"
QUERY = "/ia/api/v1/services/core/query"
OBJECT = "company-config/document-sequence"


def create(api, **body) -> str:
    response = api.post(BASE, body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()["ia::result"]["key"]


def query(api, **body) -> dict:
    response = api.post(QUERY, {"object": OBJECT, **body}, format="json")
    assert response.status_code == 200, response.json()
    return response.json()


def ids(api, *filters, expression=None, **body) -> set[str]:
    """Return the ids of the sequences a query finds."""
    if expression is not None:
        body["filterExpression"] = expression
    return {
        row["id"] for row in query(api, fields=["id"], filters=list(filters), size=4000, **body)["ia::result"]
    }


def refusal(api, body: dict) -> tuple[int, str, str | None]:
    response = api.post(QUERY, body, format="json")
    error = response.json()["ia::error"]
    return response.status_code, error["errorId"], error["details"][0]["field"]


@pytest.fixture
def ops(api):
    """Four sequences with distinct names and numbers: the operators' test bed."""
    for name, number in (("Op Alpha", 10), ("Op Beta", 20), ("Op Gamma", 30), ("Op delta", 40)):
        create(api, id=name, startingNumber=number, nextNumber=number)
    return {"$startsWith": {"id": "Op "}}


def test_contract_query_sample(api, entity):
    # The contract prints the sample's condition as `{"$eq": { }}`; status = active is its documented example.
    body = {
        "object": "company-config/document-sequence",
        "filters": [{"$eq": {"status": "active"}}],
        "fields": ["key", "id", "nextNumber", "href"],
        "orderBy": [{"id": "asc"}],
    }
    response = api.post(QUERY, body, format="json")
    assert response.status_code == 200
    sequences = sorted(Sequence.objects.filter(entity=entity), key=lambda s: s.name)
    assert response.json() == {
        "ia::result": [
            {
                "key": str(s.key),
                "id": s.name,
                "nextNumber": 1,
                "href": f"/objects/company-config/document-sequence/{s.key}",
            }
            for s in sequences
        ],
        "ia::meta": {
            "totalCount": len(sequences),
            "start": 1,
            "pageSize": 100,
            "next": None,
            "previous": None,
        },
    }


@pytest.mark.parametrize(
    ("condition", "expected"),
    [
        ({"$eq": {"startingNumber": 20}}, {"Op Beta"}),
        ({"$ne": {"startingNumber": 20}}, {"Op Alpha", "Op Gamma", "Op delta"}),
        ({"$lt": {"startingNumber": 20}}, {"Op Alpha"}),
        ({"$lte": {"startingNumber": "20"}}, {"Op Alpha", "Op Beta"}),
        ({"$gt": {"nextNumber": 30}}, {"Op delta"}),
        ({"$gte": {"nextNumber": 30}}, {"Op Gamma", "Op delta"}),
        ({"$in": {"startingNumber": [10, 40]}}, {"Op Alpha", "Op delta"}),
        ({"$notIn": {"startingNumber": [10, 40]}}, {"Op Beta", "Op Gamma"}),
        ({"$between": {"startingNumber": [20, 30]}}, {"Op Beta", "Op Gamma"}),
        ({"$notBetween": {"startingNumber": [20, 30]}}, {"Op Alpha", "Op delta"}),
        ({"$contains": {"id": "amm"}}, {"Op Gamma"}),
        ({"$notContains": {"id": "et"}}, {"Op Alpha", "Op Gamma", "Op delta"}),
        ({"$startsWith": {"id": "Op G"}}, {"Op Gamma"}),
        ({"$notStartsWith": {"id": "Op G"}}, {"Op Alpha", "Op Beta", "Op delta"}),
        ({"$endsWith": {"id": "ta"}}, {"Op Beta", "Op delta"}),
        ({"$notEndsWith": {"id": "ta"}}, {"Op Alpha", "Op Gamma"}),
    ],
)
def test_every_operator(api, ops, condition, expected):
    assert ids(api, ops, condition) == expected


def test_like_wildcards_are_plain_characters(api, ops):
    create(api, id="Op 100%_off")
    assert ids(api, ops, {"$contains": {"id": "%_"}}) == {"Op 100%_off"}
    assert ids(api, ops, {"$contains": {"id": "_"}}) == {"Op 100%_off"}


def test_filter_expression_with_parentheses_returns_exactly_the_matches(api, ops):
    filters = [
        {"$gte": {"startingNumber": 20}},
        {"$endsWith": {"id": "a"}},
        {"$eq": {"id": "Op Alpha"}},
    ]
    # (≥ 20 and ends with a) or Alpha; the prefix condition keeps the entity's defaults out.
    assert ids(api, *filters, expression="(1 and 2) or 3") == {"Op Beta", "Op Gamma", "Op delta", "Op Alpha"}
    assert ids(api, *filters, ops, expression="((1 AND 2) OR 3) and 4") == {
        "Op Beta", "Op Gamma", "Op delta", "Op Alpha"
    }  # fmt: skip
    assert ids(api, *filters, ops, expression="1 and (2 or 3) and 4") == {"Op Beta", "Op Gamma", "Op delta"}
    assert ids(api, *filters, ops, expression="1 and 2 or 3 and 4") == {
        "Op Beta", "Op Gamma", "Op delta", "Op Alpha"
    }  # fmt: skip
    assert ids(api, {"$eq": {"id": "Op Beta"}}, {"$eq": {"id": "Op Gamma"}}, expression="or") == {
        "Op Beta",
        "Op Gamma",
    }
    assert ids(api, {"$eq": {"id": "Op Beta"}}, {"$eq": {"id": "Op Gamma"}}) == set()  # default: and


DAYS = {
    "M-today": "2024-05-15",
    "M-yesterday": "2024-05-14",
    "M-monday": "2024-05-13",
    "M-sunday": "2024-05-19",
    "M-last-week": "2024-05-08",
    "M-early-may": "2024-05-02",
    "M-april": "2024-04-20",
    "M-february": "2024-02-10",
    "M-2023": "2023-07-01",
    "M-2022": "2022-12-31",
}
MAY = {"M-today", "M-yesterday", "M-monday", "M-sunday", "M-last-week", "M-early-may"}


@pytest.fixture
def dated(api):
    """Sequences created (and rollover enabled) on the days of DAYS, at noon local time."""
    for name, day in DAYS.items():
        key = create(api, id=name)
        noon = timezone.make_aware(
            datetime.datetime.combine(datetime.date.fromisoformat(day), datetime.time(12))
        )
        # Arranging history: the services stamp these with the real now.
        Sequence.objects.filter(key=int(key)).update(
            created_at=noon, updated_at=noon, rollover_enabled_date=noon.date()
        )
    return {"$startsWith": {"id": "M-"}}


@pytest.mark.parametrize(
    ("macro", "expected"),
    [
        ("today", {"M-today"}),
        ("yesterday", {"M-yesterday"}),
        ("currentWeek", {"M-today", "M-yesterday", "M-monday", "M-sunday"}),
        ("lastWeek", {"M-last-week"}),
        ("currentMonth", MAY),
        ("priorMonth", {"M-april"}),
        ("currentQuarter", MAY | {"M-april"}),
        ("priorQuarter", {"M-february"}),
        ("currentYear", MAY | {"M-april", "M-february"}),
        ("priorYear", {"M-2023"}),
    ],
)
@pytest.mark.parametrize("field", ["audit.createdDateTime", "whenModified", "rollover.enabledDate"])
def test_every_date_macro_is_relative_to_as_of_date(api, dated, macro, expected, field):
    found = ids(api, dated, {"$eq": {field: macro}}, filterParameters={"asOfDate": "2024-05-15"})
    assert found == expected


def test_macros_and_dates_with_other_operators(api, dated):
    def found(condition):
        return ids(api, dated, condition, filterParameters={"asOfDate": "2024-05-15"})

    assert found({"$lt": {"whenModified": "currentMonth"}}) == {"M-april", "M-february", "M-2023", "M-2022"}
    assert found({"$gt": {"whenModified": "lastWeek"}}) == {"M-today", "M-yesterday", "M-monday", "M-sunday"}
    assert found({"$between": {"rollover.enabledDate": ["priorQuarter", "priorMonth"]}}) == {
        "M-april",
        "M-february",
    }
    assert found({"$in": {"audit.createdDateTime": ["today", "priorYear"]}}) == {"M-today", "M-2023"}
    assert found({"$ne": {"rollover.enabledDate": "currentYear"}}) == {"M-2023", "M-2022"}
    assert found({"$eq": {"rollover.enabledDate": "2022-12-31"}}) == {"M-2022"}
    assert found({"$lte": {"whenModified": "2022-12-31"}}) == {"M-2022"}
    assert found({"$eq": {"whenModified": "2024-05-15T12:00:00"}}) == {"M-today"}


def test_as_of_date_defaults_to_today(api):
    create(api, id="Fresh")
    assert "Fresh" in ids(api, {"$eq": {"audit.createdDateTime": "today"}})
    assert "Fresh" not in ids(api, {"$eq": {"audit.createdDateTime": "yesterday"}})


def test_paging_covers_every_sequence_once(api, entity):
    for n in range(12):
        create(api, id=f"Page {n:02d}")
    total = Sequence.objects.filter(entity=entity).count()
    seen, metas, start = [], [], 1
    while start is not None:
        body = query(api, fields=["key"], start=start, size=5, orderBy=[{"id": "desc"}])
        seen += [row["key"] for row in body["ia::result"]]
        metas.append(body["ia::meta"])
        start = body["ia::meta"]["next"]
    assert sorted(seen) == sorted(str(s.key) for s in Sequence.objects.filter(entity=entity))
    assert len(seen) == len(set(seen)) == total
    assert metas[0] == {"totalCount": total, "start": 1, "pageSize": 5, "next": 6, "previous": None}
    assert metas[1]["previous"] == 1
    assert metas[-1]["next"] is None
    assert query(api, start=total + 1)["ia::result"] == []


def test_order_by_sorts_and_breaks_ties_by_key(api, ops):
    rows = query(api, fields=["id"], filters=[ops], orderBy=[{"startingNumber": "desc"}])["ia::result"]
    assert [row["id"] for row in rows] == ["Op delta", "Op Gamma", "Op Beta", "Op Alpha"]


def test_aggregates_return_one_row(api, ops):
    body = query(
        api,
        fields=["count:key", "sum:startingNumber", "avg:startingNumber", "min:id", "max:nextNumber"],
        filters=[ops],
    )
    assert body["ia::result"] == [
        {
            "count:key": 4,
            "sum:startingNumber": 100,
            "avg:startingNumber": 25.0,
            "min:id": "Op Alpha",
            "max:nextNumber": 40,
        }
    ]
    assert body["ia::meta"]["totalCount"] == 1


def test_case_insensitive_comparison(api, ops):
    insensitive = {"caseSensitiveComparison": False}
    assert ids(api, {"$eq": {"id": "op beta"}}) == set()
    assert ids(api, {"$eq": {"id": "op beta"}}, filterParameters=insensitive) == {"Op Beta"}
    assert ids(api, {"$startsWith": {"id": "OP D"}}, filterParameters=insensitive) == {"Op delta"}
    assert ids(api, {"$in": {"id": ["OP ALPHA", "op gamma"]}}, filterParameters=insensitive) == {
        "Op Alpha",
        "Op Gamma",
    }


def test_nested_and_group_fields(api):
    key = create(
        api, id="Nested", rollover={"isEnabled": True, "fiscalYearAffixPosition": "suffix", "separator": "/"}
    )
    rows = query(
        api,
        fields=["rollover.isEnabled", "audit.createdBy", "rollover", "fiscalYears", "fixedLength"],
        filters=[{"$eq": {"rollover.isEnabled": True}}, {"$eq": {"key": key}}],
    )["ia::result"]
    sequence = Sequence.objects.get(key=int(key))
    assert rows == [
        {
            "rollover.isEnabled": True,
            "audit.createdBy": sequence.created_by,
            "rollover": {
                "isEnabled": True,
                "enabledDate": timezone.localdate().isoformat(),
                "fiscalYearAffixPosition": "suffix",
                "separator": "/",
            },
            "fiscalYears": [],
            "fixedLength": None,
        }
    ]


def test_inactive_sequences_are_hidden_unless_the_query_filters_on_status(api):
    key = create(api, id="Asleep")
    api.patch(f"{BASE}/{key}", {"status": "inactive"}, format="json")
    assert "Asleep" not in ids(api)
    assert "Asleep" not in ids(api, {"$startsWith": {"id": "Asl"}})
    assert ids(api, {"$eq": {"status": "inactive"}}) == {"Asleep"}
    assert "Asleep" in ids(api, {"$in": {"status": ["active", "inactive"]}})


def test_another_entitys_sequences_are_never_found(api, other_entity, make_client):
    create(make_client(other_entity), id="Elsewhere")
    assert "Elsewhere" not in ids(api, {"$in": {"status": ["active", "inactive"]}})


@pytest.mark.parametrize(
    ("body", "code", "field"),
    [
        ({"object": "accounts-payable/vendor"}, "unknown_object", "object"),
        ({}, "unknown_object", "object"),
        ({"object": OBJECT, "fields": ["colour"]}, "unknown_field", "fields[0]"),
        ({"object": OBJECT, "fields": []}, "parameter_invalid", "fields"),
        ({"object": OBJECT, "fields": ["id", "id"]}, "parameter_invalid", "fields[1]"),
        ({"object": OBJECT, "fields": ["median:key"]}, "unknown_function", "fields[0]"),
        ({"object": OBJECT, "fields": ["sum:id"]}, "parameter_invalid", "fields[0]"),
        ({"object": OBJECT, "fields": ["id", "count:key"]}, "parameter_invalid", "fields"),
        ({"object": OBJECT, "filters": [{"$like": {"id": "a"}}]}, "unknown_operator", "filters[0]"),
        ({"object": OBJECT, "filters": [{"$eq": {"colour": "a"}}]}, "unknown_field", "filters[0].$eq"),
        ({"object": OBJECT, "filters": [{"$eq": {"rollover": "a"}}]}, "parameter_invalid", "filters[0].$eq"),
        ({"object": OBJECT, "filters": [{"$eq": {"id": "a", "type": "alpha"}}]}, "parameter_invalid",
         "filters[0].$eq"),
        ({"object": OBJECT, "filters": [{"$eq": {"id": "a"}, "$ne": {"id": "b"}}]}, "parameter_invalid",
         "filters[0]"),
        ({"object": OBJECT, "filters": [{"$eq": {"startingNumber": "ten"}}]}, "parameter_invalid",
         "filters[0].$eq.startingNumber"),
        ({"object": OBJECT, "filters": [{"$eq": {"id": 7}}]}, "parameter_invalid", "filters[0].$eq.id"),
        ({"object": OBJECT, "filters": [{"$eq": {"rollover.isEnabled": "maybe"}}]}, "parameter_invalid",
         "filters[0].$eq.rollover.isEnabled"),
        ({"object": OBJECT, "filters": [{"$lt": {"rollover.isEnabled": True}}]}, "parameter_invalid",
         "filters[0].$lt.rollover.isEnabled"),
        ({"object": OBJECT, "filters": [{"$contains": {"startingNumber": 1}}]}, "parameter_invalid",
         "filters[0].$contains.startingNumber"),
        ({"object": OBJECT, "filters": [{"$eq": {"whenModified": "lastDecade"}}]}, "parameter_invalid",
         "filters[0].$eq.whenModified"),
        ({"object": OBJECT, "filters": [{"$eq": {"whenModified": "2024-02-30"}}]}, "parameter_invalid",
         "filters[0].$eq.whenModified"),
        ({"object": OBJECT, "filters": [{"$between": {"startingNumber": [1]}}]}, "parameter_invalid",
         "filters[0].$between.startingNumber"),
        ({"object": OBJECT, "filters": [{"$in": {"id": []}}]}, "parameter_invalid", "filters[0].$in.id"),
        ({"object": OBJECT, "filters": {"$eq": {"id": "a"}}}, "parameter_invalid", "filters"),
        ({"object": OBJECT, "filters": [{"$eq": {"id": "a"}}], "filterExpression": "1 or 2"},
         "invalid_filter_expression", "filterExpression"),
        ({"object": OBJECT, "filters": [{"$eq": {"id": "a"}}] * 2, "filterExpression": "(1 and 2"},
         "invalid_filter_expression", "filterExpression"),
        ({"object": OBJECT, "filters": [{"$eq": {"id": "a"}}] * 2, "filterExpression": "1 and and 2"},
         "invalid_filter_expression", "filterExpression"),
        ({"object": OBJECT, "filters": [{"$eq": {"id": "a"}}] * 2, "filterExpression": "1 xor 2"},
         "invalid_filter_expression", "filterExpression"),
        ({"object": OBJECT, "filters": [{"$eq": {"id": "a"}}] * 2, "filterExpression": "1"},
         "invalid_filter_expression", "filterExpression"),
        ({"object": OBJECT, "filters": [{"$eq": {"id": "a"}}] * 2, "filterExpression": "1; DROP TABLE x"},
         "invalid_filter_expression", "filterExpression"),
        ({"object": OBJECT, "filterParameters": {"asOfDate": "15/05/2024"}}, "parameter_invalid",
         "filterParameters.asOfDate"),
        ({"object": OBJECT, "filterParameters": {"caseSensitiveComparison": "no"}}, "parameter_invalid",
         "filterParameters.caseSensitiveComparison"),
        ({"object": OBJECT, "filterParameters": {"timezone": "UTC"}}, "unknown_parameter",
         "filterParameters.timezone"),
        ({"object": OBJECT, "orderBy": [{"id": "up"}]}, "parameter_invalid", "orderBy[0].id"),
        ({"object": OBJECT, "orderBy": [{"fiscalYears": "asc"}]}, "parameter_invalid", "orderBy[0]"),
        ({"object": OBJECT, "start": 0}, "parameter_invalid", "start"),
        ({"object": OBJECT, "size": 4001}, "parameter_invalid", "size"),
        ({"object": OBJECT, "size": "10"}, "parameter_invalid", "size"),
        ({"object": OBJECT, "limit": 10}, "unknown_parameter", "limit"),
    ],
)  # fmt: skip
def test_malformed_queries_are_400(api, body, code, field):
    assert refusal(api, body) == (400, code, field)


def test_include_private_and_hierarchy_fields_are_accepted(api):
    parameters = {"includePrivate": True, "includeHierarchyFields": False, "caseSensitiveComparison": True}
    assert query(api, filterParameters=parameters)["ia::meta"]["totalCount"] == 5
