"""The numbering REST API (docs/numbering.md): sequences CRUD, issuing, preview, audit, ledger, counters."""

import pytest
from django.utils import timezone

from numbering.models import CounterEvent, IssuedNumber, Sequence
from numbering.services import counter_advance
from tests.erp.factories import api_key_with_token

pytestmark = pytest.mark.django_db

BASE = "/v1/document-sequences"


def create(api, **fields):
    body = {"name": "Vendor Invoice", "format": "VI-{yyyy}-{i4}", "reset": "calendar_year", **fields}
    response = api.post(BASE, body, format="json")
    assert response.status_code == 201, response.json()
    return response.json()


def test_create_shows_the_intacct_and_portos_shapes(api):
    body = create(
        api,
        name="Purchase Order",
        format="",
        fixed_prefix="PO",
        prefix_separator="-",
        fixed_length=5,
        reset="fiscal_year",
        rollover={"is_enabled": True, "fiscal_year_affix_position": "prefix", "separator": "/"},
    )
    assert body["object"] == "document_sequence"
    assert body["rollover"]["is_enabled"] is True
    assert body["rollover"]["fiscal_year_affix_position"] == "prefix"
    assert "{fy}" in body["effective_format"] and "{i5}" in body["effective_format"]
    assert body["version"] == 1
    assert body["audit"]["created_at"]


def test_periods_configured_at_creation_record_the_api_key_as_actor(entity, client_for_token):
    key, token = api_key_with_token(entity=entity, scopes=["numbering:write"])
    client = client_for_token(token)
    by_fiscal_year = client.post(
        BASE,
        {
            "name": "FY",
            "format": "{fy}-{i4}",
            "reset": "fiscal_year",
            "fiscal_years": [{"fiscal_year": 2027, "next_number": 10}],
        },
        format="json",
    )
    by_numbering = client.post(
        BASE,
        {
            "name": "Monthly",
            "format": "M{yyyy}{MM}-{i4}",
            "reset": "month",
            "numberings": [{"start": "2026-04-01", "next_number": 5}],
        },
        format="json",
    )
    assert (by_fiscal_year.status_code, by_numbering.status_code) == (201, 201)
    events = CounterEvent.objects.filter(
        sequence_id__in=[by_fiscal_year.json()["id"], by_numbering.json()["id"]]
    )
    assert [(event.kind, event.actor) for event in events] == [("create", f"api_key:{key.prefix}")] * 2


def test_structured_rollover_without_reset_turns_on_fiscal_year_reset(api):
    response = api.post(
        BASE,
        {
            "name": "Rolled",
            "fixed_prefix": "R",
            "fixed_length": 3,
            "rollover": {"is_enabled": True, "fiscal_year_affix_position": "suffix", "separator": "-"},
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert response.json()["reset"] == "fiscal_year"


def test_portos_period_and_numberings_round_trip(api):
    body = create(
        api,
        name="Stock transfer",
        format="V-{yyyy}{MM}{i4}",
        reset="custom",
        period={"unit": "Month", "amount": 1},
        numberings=[{"start": "2026-01-01", "next_number": 12}],
    )
    assert body["period"] == {"unit": "Month", "amount": 1}
    january = [n for n in body["numberings"] if n["start"] == "2026-01-01"]
    assert january and january[0]["next_number"] == 12


def test_generate_next_value_issues_by_the_document_date(api):
    seq = create(api)
    response = api.post(
        f"{BASE}/{seq['id']}/generate-next-value", {"date": "2025-12-31", "reference": "PO-7"}, format="json"
    )
    assert response.status_code == 201, response.json()
    issued = response.json()
    assert issued["number"] == "VI-2025-0001"
    assert issued["value"] == 1
    assert issued["sequence_id"] == seq["id"]
    assert issued["reference"] == "PO-7"
    assert issued["status"] == "issued"
    assert issued["issued_by"].startswith("api_key:ark_live_ent_")
    again = api.post(f"{BASE}/{seq['id']}/generate-next-value", {"date": "2026-01-01"}, format="json").json()
    assert again["number"] == "VI-2026-0001"


def test_generate_next_values_returns_a_contiguous_ascending_block(api):
    seq = create(api)
    response = api.post(
        f"{BASE}/{seq['id']}/generate-next-values", {"count": 25, "date": "2026-03-01"}, format="json"
    )
    assert response.status_code == 201
    data = response.json()["data"]
    assert [n["value"] for n in data] == list(range(1, 26))
    assert response.json()["object"] == "list"


@pytest.mark.parametrize("count", [0, 10_001, "many"])
def test_generate_next_values_rejects_bad_counts(api, count):
    seq = create(api)
    response = api.post(f"{BASE}/{seq['id']}/generate-next-values", {"count": count}, format="json")
    assert response.status_code == 400
    assert response.json()["error"]["param"] == "count"
    assert not IssuedNumber.objects.exists()


def test_preview_reserves_nothing(api):
    seq = create(api)
    first = api.get(f"{BASE}/{seq['id']}/preview", {"date": "2026-05-05"}).json()
    second = api.get(f"{BASE}/{seq['id']}/preview", {"date": "2026-05-05"}).json()
    assert first == second == {"value": 1, "number": "VI-2026-0001", "period_label": first["period_label"]}
    assert not IssuedNumber.objects.exists()


def test_patch_changes_only_the_given_fields_and_checks_the_version(api):
    seq = create(api, print_title="Vendor invoices")
    response = api.patch(f"{BASE}/{seq['id']}", {"status": "inactive", "version": 1}, format="json")
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "inactive"
    assert response.json()["print_title"] == "Vendor invoices"
    assert response.json()["version"] == 2
    assert response["ETag"] == '"2"'
    stale = api.patch(f"{BASE}/{seq['id']}", {"status": "active"}, format="json", HTTP_IF_MATCH='"1"')
    assert stale.status_code == 409
    assert (stale.json()["error"]["code"], stale.json()["error"]["param"]) == ("version_mismatch", "version")
    assert Sequence.objects.get(pk=seq["id"]).status == "inactive"


@pytest.mark.parametrize(
    "body, headers",
    [
        ({"print_title": "B", "version": 1}, {}),  # a stale version in the body
        ({"print_title": "B", "version": 2}, {"HTTP_IF_MATCH": '"1"'}),  # body and If-Match disagree
    ],
)
def test_a_version_mismatch_names_the_version(api, body, headers):
    seq = create(api)
    api.patch(f"{BASE}/{seq['id']}", {"print_title": "A"}, format="json")
    response = api.patch(f"{BASE}/{seq['id']}", body, format="json", **headers)
    assert response.status_code == 409
    assert (response.json()["error"]["code"], response.json()["error"]["param"]) == (
        "version_mismatch",
        "version",
    )
    assert Sequence.objects.get(pk=seq["id"]).print_title == "A"


def test_an_inactive_sequence_issues_nothing(api):
    seq = create(api, status="inactive")
    response = api.post(f"{BASE}/{seq['id']}/generate-next-value", {}, format="json")
    assert response.status_code == 409
    assert (response.json()["error"]["code"], response.json()["error"]["param"]) == (
        "sequence_inactive",
        "status",
    )


def test_an_exhausted_sequence_is_409(api):
    seq = create(api, reset="never", format="X{i2}", starting_number=1, ending_number=2)
    url = f"{BASE}/{seq['id']}/generate-next-value"
    assert api.post(url, {}, format="json").status_code == 201
    assert api.post(url, {}, format="json").status_code == 201
    response = api.post(url, {}, format="json")
    assert response.status_code == 409
    assert (response.json()["error"]["code"], response.json()["error"]["param"]) == (
        "sequence_exhausted",
        "ending_number",
    )
    assert IssuedNumber.objects.count() == 2


def test_an_idempotent_delete_answers_204_with_no_content_type(api):
    """A 204 sent as stored names no content type, as DRF's own 204 (no `text/html` default left on it)."""
    seq = create(api, reset="never", format="D{i4}")
    response = api.delete(f"{BASE}/{seq['id']}", HTTP_IDEMPOTENCY_KEY="delete-once")
    assert response.status_code == 204
    assert response.content == b""
    assert "Content-Type" not in response


def test_a_refused_number_under_an_idempotency_key_leaves_nothing_and_the_next_request_works(api):
    """The service joins the key's transaction without a savepoint: a refusal must still undo its log row."""
    from erp.models import Activity

    seq = create(api, reset="never", format="Y{i2}", starting_number=1, ending_number=1)
    url = f"{BASE}/{seq['id']}/generate-next-value"
    assert api.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="first").status_code == 201
    refused = api.post(url, {}, format="json", HTTP_IDEMPOTENCY_KEY="second")
    assert refused.status_code == 409
    assert refused.json()["error"]["code"] == "sequence_exhausted"
    assert IssuedNumber.objects.filter(sequence_id=seq["id"]).count() == 1
    assert Activity.objects.filter(action="sequence.numbers_issued", object_id=seq["id"]).count() == 1
    assert api.get(f"{BASE}/{seq['id']}").status_code == 200  # the connection is usable afterwards


@pytest.mark.parametrize(
    "taken, count, param",
    [
        (1, 5, "count"),  # 4 left: a smaller block would fit
        (5, 1, "ending_number"),  # none left, whatever the count
        (5, 3, "ending_number"),
    ],
)
def test_an_exhausted_block_names_what_to_change(api, taken, count, param):
    seq = create(api, reset="never", format="X{i2}", ending_number=5)
    url = f"{BASE}/{seq['id']}/generate-next-values"
    assert api.post(url, {"count": taken}, format="json").status_code == 201
    response = api.post(url, {"count": count}, format="json")
    assert response.status_code == 409
    assert (response.json()["error"]["code"], response.json()["error"]["param"]) == (
        "sequence_exhausted",
        param,
    )
    assert IssuedNumber.objects.count() == taken


@pytest.mark.parametrize(
    "fields, code, param",
    [
        ({"format": "X-{zz}-{i4}"}, "unknown_format_token", "format"),
        ({"format": "X-{yyyy}"}, "format_missing_number", "format"),
        ({"format": "X-{i4}", "reset": "month"}, "format_not_period_unique", "format"),
        ({"format": "", "fixed_prefix": "P" * 21, "fixed_length": 4}, "prefix_too_long", "fixed_prefix"),
        ({"format": "", "fixed_prefix": "P", "fixed_length": 17}, "invalid_fixed_length", "fixed_length"),
    ],
)
def test_bad_configurations_get_a_stable_code_and_param(api, fields, code, param):
    response = api.post(BASE, {"name": "Bad", "reset": "never", **fields}, format="json")
    assert response.status_code in (400, 422), response.json()
    error = response.json()["error"]
    assert (error["code"], error.get("param")) == (code, param)
    assert not Sequence.objects.filter(name="Bad").exists()


def test_delete_only_a_sequence_that_never_issued(api):
    unused = create(api, name="Unused")
    assert api.delete(f"{BASE}/{unused['id']}").status_code == 204
    used = create(api, name="Used")
    api.post(f"{BASE}/{used['id']}/generate-next-value", {}, format="json")
    response = api.delete(f"{BASE}/{used['id']}")
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "sequence_in_use"


def test_list_filters_and_envelope(api):
    create(api, name="Alpha one", counter_type="quote")
    create(api, name="Other")
    body = api.get(BASE, {"counter_type": "quote"}).json()
    assert body["object"] == "list"
    assert [s["name"] for s in body["data"]] == ["Alpha one"]
    assert body["has_more"] is False


def test_void_keeps_the_number_with_its_reason(api):
    seq = create(api)
    issued = api.post(f"{BASE}/{seq['id']}/generate-next-value", {}, format="json").json()
    missing = api.post(f"/v1/issued-numbers/{issued['id']}/void", {}, format="json")
    assert missing.status_code == 400
    assert missing.json()["error"]["param"] == "reason"
    response = api.post(
        f"/v1/issued-numbers/{issued['id']}/void", {"reason": "typo on the PO"}, format="json"
    )
    assert response.status_code == 200
    assert response.json()["status"] == "voided"
    assert response.json()["void_reason"] == "typo on the PO"
    again = api.post(f"/v1/issued-numbers/{issued['id']}/void", {"reason": "twice"}, format="json")
    assert again.status_code == 409
    listed = api.get("/v1/issued-numbers", {"status": "voided", "sequence": seq["id"]}).json()["data"]
    assert [n["id"] for n in listed] == [issued["id"]]


def test_audit_reports_skips_from_counter_events(api, entity):
    seq = create(api, reset="never", format="A{i4}")
    url = f"{BASE}/{seq['id']}/generate-next-value"
    api.post(url, {}, format="json")
    counter_advance(
        sequence=Sequence.objects.get(pk=seq["id"]), advance_to=10, reason="migration", actor="test"
    )
    api.post(url, {}, format="json")
    report = api.get(f"{BASE}/{seq['id']}/audit").json()
    assert report["ok"] is True
    (period,) = report["periods"]
    assert (period["first"], period["last"], period["issued"]) == (1, 11, 2)
    event = CounterEvent.objects.get(sequence_id=seq["id"])
    assert period["skipped"] == [[2, 10, event.id]]
    assert (period["gaps"], period["overlaps"], period["out_of_range"]) == ([], [], [])


def test_another_entitys_sequence_and_numbers_are_404(api, other_entity, make_client):
    theirs = create(make_client(other_entity), name="Theirs")
    issued = (
        make_client(other_entity).post(f"{BASE}/{theirs['id']}/generate-next-value", {}, format="json").json()
    )
    assert api.get(f"{BASE}/{theirs['id']}").status_code == 404
    assert api.post(f"{BASE}/{theirs['id']}/generate-next-value", {}, format="json").status_code == 404
    assert api.get(f"/v1/issued-numbers/{issued['id']}").status_code == 404
    assert (
        api.post(f"/v1/issued-numbers/{issued['id']}/void", {"reason": "x"}, format="json").status_code == 404
    )
    assert IssuedNumber.objects.filter(status="voided").count() == 0


def test_fiscal_year_picks_a_date_in_that_year(api, entity):
    seq = create(api, name="FY seq", format="F{fy}-{i3}", reset="fiscal_year")
    response = api.post(f"{BASE}/{seq['id']}/generate-next-value", {"fiscal_year": 2024}, format="json")
    assert response.status_code == 201, response.json()
    assert response.json()["number"] == "F2024-001"
    mismatch = api.post(
        f"{BASE}/{seq['id']}/generate-next-value", {"fiscal_year": 2024, "date": "2026-02-02"}, format="json"
    )
    assert mismatch.status_code == 400
    assert mismatch.json()["error"]["code"] == "fiscal_year_date_mismatch"


class TestArcusMigrationCounters:
    """POST /v1/entities/{entity_id}/migration/counters/advance, row by row."""

    def url(self, entity):
        return f"/v1/entities/{entity.id}/migration/counters/advance"

    def test_single_payload_advances_the_invoice_counter(self, api, entity):
        response = api.post(
            self.url(entity), {"counter_type": "invoice", "advance_to": 342665}, format="json"
        )
        assert response.status_code == 200, response.json()
        body = response.json()
        assert body["object"] == "migration_counter_advance_result"
        assert (body["total"], body["succeeded"], body["failed"]) == (1, 1, 0)
        (row,) = body["results"]
        assert row["counter_type"] == "invoice"
        assert row["current_value"] == 342665
        assert row["advanced"] is True
        assert row["next_issued_preview"].endswith("342666")

    def test_advance_to_the_current_value_is_a_no_op(self, api, entity):
        api.post(self.url(entity), {"counter_type": "invoice", "advance_to": 100}, format="json")
        body = api.post(
            self.url(entity), {"counter_type": "invoice", "advance_to": 100}, format="json"
        ).json()
        (row,) = body["results"]
        assert (row["advanced"], row["previous_value"], row["current_value"]) == (False, 100, 100)
        assert (body["succeeded"], body["failed"]) == (1, 0)

    def test_advance_to_below_the_current_value_is_a_failed_row(self, api, entity):
        api.post(self.url(entity), {"counter_type": "invoice", "advance_to": 100}, format="json")
        response = api.post(self.url(entity), {"counter_type": "invoice", "advance_to": 50}, format="json")
        assert response.status_code == 200
        (row,) = response.json()["results"]
        assert (row["code"], row["param"], row["advanced"]) == ("decrement_not_allowed", "advance_to", False)
        assert response.json()["failed"] == 1

    def test_an_empty_prefix_creates_a_counter_without_one(self, api, entity):
        body = {"counter_type": "rma", "advance_to": 7, "prefix": ""}
        (row,) = api.post(self.url(entity), body, format="json").json()["results"]
        assert (row["advanced"], row["prefix"], row["next_issued_preview"]) == (True, "", "0000008")

    def test_a_batch_with_one_failing_row_keeps_the_others(self, api, entity):
        response = api.post(
            self.url(entity),
            {
                "counters": [
                    {"counter_type": "invoice", "advance_to": 500},
                    {"counter_type": "rma", "advance_to": 9},  # missing counter, no prefix
                    {"counter_type": "po", "advance_to": 77, "prefix": "PO-", "padding": 6},
                ]
            },
            format="json",
        )
        body = response.json()
        assert response.status_code == 200
        assert (body["total"], body["succeeded"], body["failed"]) == (3, 2, 1)
        invoice, rma, po = body["results"]
        assert invoice["advanced"] is True
        assert (rma["code"], rma["param"]) == ("prefix_required", "prefix") and rma["error"]
        assert "param" not in invoice and "param" not in po
        assert po["next_issued_preview"] == "PO-000078"
        assert Sequence.objects.filter(entity=entity, counter_type="po").exists()
        assert not Sequence.objects.filter(entity=entity, counter_type="rma").exists()

    @pytest.mark.parametrize(
        "row, code, param",
        [
            ({"counter_type": "rma", "advance_to": 5, "prefix": "R" * 21}, "prefix_too_long", "prefix"),
            (
                {"counter_type": "rma", "advance_to": 5, "prefix": "R", "padding": 13},
                "invalid_padding",
                "padding",
            ),
            ({"counter_type": "invoice", "advance_to": -1}, "invalid_advance_to", "advance_to"),
            ({"counter_type": "invoice", "advance_to": "ten"}, "invalid_advance_to", "advance_to"),
            ({"counter_type": "widget", "advance_to": 5}, "invalid_counter_type", "counter_type"),
        ],
    )
    def test_a_bad_row_gets_a_code_and_the_rows_field_in_both_forms(self, api, entity, row, code, param):
        single = api.post(self.url(entity), row, format="json")
        batch = api.post(
            self.url(entity), {"counters": [{"counter_type": "journal", "advance_to": 3}, row]}, format="json"
        )
        assert (single.status_code, batch.status_code) == (200, 200)
        (failed,) = single.json()["results"]
        assert (failed["code"], failed["param"], failed["advanced"]) == (code, param, False)
        journal, failed = batch.json()["results"]
        assert (failed["code"], failed["param"]) == (code, param)
        assert (journal["advanced"], batch.json()["succeeded"], batch.json()["failed"]) == (True, 1, 1)

    def test_it_needs_the_migration_scope_and_the_own_entity(self, entity, other_entity, make_client):
        reader = make_client(entity, scopes=["numbering:read", "numbering:write"])
        response = reader.post(self.url(entity), {"counter_type": "invoice", "advance_to": 5}, format="json")
        assert response.status_code == 403
        assert response.json()["error"]["required"] == "migration:write"
        migrator = make_client(entity, scopes=["migration:write"])
        other = migrator.post(
            self.url(other_entity), {"counter_type": "invoice", "advance_to": 5}, format="json"
        )
        assert other.status_code == 403
        assert other.json()["error"]["code"] == "entity_mismatch"

    def test_batches_over_50_rows_are_rejected_whole(self, api, entity):
        rows = [{"counter_type": "invoice", "advance_to": i} for i in range(51)]
        response = api.post(self.url(entity), {"counters": rows}, format="json")
        assert response.status_code == 400
        assert response.json()["error"]["param"] == "counters"

    def test_the_counters_list_shows_the_defaults(self, api, entity):
        body = api.get(f"/v1/entities/{entity.id}/migration/counters").json()
        types = {row["counter_type"] for row in body["data"]}
        assert {"invoice", "vendor_bill", "vendor_credit", "ap_payment", "journal"} <= types

    def test_idempotency_key_replays_an_advance(self, api, entity):
        body = {"counter_type": "invoice", "advance_to": 1000}
        first = api.post(self.url(entity), body, format="json", HTTP_IDEMPOTENCY_KEY="adv-1")
        second = api.post(self.url(entity), body, format="json", HTTP_IDEMPOTENCY_KEY="adv-1")
        assert second.json() == first.json()
        assert second["Idempotent-Replayed"] == "true"
        assert (
            CounterEvent.objects.filter(sequence__counter_type="invoice", sequence__entity=entity).count()
            == 1
        )


def test_today_default_for_generate(api):
    seq = create(api, format="T{yyyy}{MM}{dd}-{i2}", reset="never")
    before = timezone.localdate()
    issued = api.post(f"{BASE}/{seq['id']}/generate-next-value", {}, format="json").json()
    # The day the application reads (TIME_ZONE), either side of the call: a run may pass midnight.
    days = {day.strftime("%Y%m%d") for day in (before, timezone.localdate())}
    assert issued["number"][1:9] in days


def test_the_schema_documents_the_advance_forms_and_the_full_audit(client):
    schema = client.get("/v1/openapi.json").json()
    components = schema["components"]["schemas"]
    advance = schema["paths"]["/v1/entities/{entity_id}/migration/counters/advance"]["post"]
    request = advance["requestBody"]["content"]["application/json"]
    assert request["schema"] == {"$ref": "#/components/schemas/MigrationCounterAdvanceRequest"}
    single, batch = (
        ref["$ref"].rsplit("/", 1)[1] for ref in components["MigrationCounterAdvanceRequest"]["oneOf"]
    )
    assert set(components[single]["required"]) == {"counter_type", "advance_to"}
    assert components[single]["properties"]["prefix"]["maxLength"] == 20
    padding = components[single]["properties"]["padding"]
    assert (padding["minimum"], padding["maximum"]) == (1, 12)
    assert components[single]["properties"]["advance_to"]["minimum"] == 0
    counters = components[batch]["properties"]["counters"]
    assert (counters["minItems"], counters["maxItems"], counters["items"]) == (
        1,
        50,
        {"$ref": f"#/components/schemas/{single}"},
    )
    assert {"error", "code", "param"} <= set(components["CounterAdvanceResultRow"]["properties"])
    assert {"gaps", "overlaps", "out_of_range"} <= set(components["AuditPeriod"]["required"])


def test_a_starting_number_that_would_change_nothing_is_409_not_a_silent_200(api):
    created = create(api, reset="never", format="PL{i4}")
    assert api.post(f"{BASE}/{created['id']}/generate-next-value", {}, format="json").status_code == 201

    response = api.patch(f"{BASE}/{created['id']}", {"starting_number": 500}, format="json")

    assert response.status_code == 409, response.json()
    assert (response.json()["error"]["code"], response.json()["error"]["param"]) == (
        "starting_number_in_use",
        "starting_number",
    )
    assert api.get(f"{BASE}/{created['id']}").json()["starting_number"] == 1


def test_an_empty_generate_next_value_body_reads_as_the_serializer_reads_it():
    # The view reads an empty body without building its serializer (numbering/api/sequences.py).
    from numbering.api.sequences import GenerateNextValueSerializer, _generate_next_value_input

    body = GenerateNextValueSerializer(data={})
    assert body.is_valid()
    assert _generate_next_value_input({}) == dict(body.validated_data)
    assert _generate_next_value_input({"reference": "PO-7"}) == {"reference": "PO-7"}
