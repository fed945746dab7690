"""Numbering admin: sequences through the services, live preview, advance with reason, audit, void."""

import pytest
from django.contrib.auth import get_user_model

from numbering.models import CounterEvent, IssuedNumber, Sequence
from numbering.services import sequence_create, sequence_issue_next

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client(client):
    user = get_user_model().objects.create_superuser("acc", "acc@example.com", "unused-password-1")
    client.force_login(user)
    return client


@pytest.fixture
def sequence(entity):
    return sequence_create(entity=entity, name="Receipts", format="RC-{yyyy}-{i4}", reset="calendar_year")


def form_data(entity, **overrides):
    data = {
        "entity": entity.pk,
        "name": "Admin sequence",
        "print_title": "",
        "counter_type": "",
        "status": "active",
        "type": "numeric",
        "format": "AD-{yyyy}-{i5}",
        "fixed_prefix": "",
        "prefix_separator": "",
        "fixed_length": "",
        "fixed_suffix": "",
        "suffix_separator": "",
        "fiscal_year_affix": "none",
        "fiscal_year_separator": "",
        "starting_number": 1,
        "ending_number": "",
        "starting_sequence": "",
        "ending_sequence": "",
        "reset": "calendar_year",
        "period_unit": "",
        "period_amount": "",
        "rollover_enabled_date": "",
        "warning_threshold": "",
        "periods-TOTAL_FORMS": 0,
        "periods-INITIAL_FORMS": 0,
        "counter_events-TOTAL_FORMS": 0,
        "counter_events-INITIAL_FORMS": 0,
    }
    data.update(overrides)
    return data


def test_creating_a_sequence_goes_through_the_service(admin_client, entity):
    response = admin_client.post("/admin/numbering/sequence/add/", form_data(entity))
    assert response.status_code == 302, response.content.decode()[:3000]
    assert Sequence.objects.get(name="Admin sequence").effective_format == "AD-{yyyy}-{i5}"


def test_a_bad_format_is_shown_next_to_the_field(admin_client, entity):
    response = admin_client.post("/admin/numbering/sequence/add/", form_data(entity, format="AD-{nope}"))
    assert response.status_code == 200
    assert "errorlist" in response.content.decode()
    assert not Sequence.objects.filter(name="Admin sequence").exists()


def test_editing_bumps_the_version(admin_client, entity, sequence):
    data = form_data(entity, name="Receipts", format="RC-{yyyy}-{i6}")
    data.pop("entity")
    response = admin_client.post(f"/admin/numbering/sequence/{sequence.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    sequence.refresh_from_db()
    assert sequence.format == "RC-{yyyy}-{i6}"
    assert sequence.version == 2


def test_live_preview_renders_the_typed_layout_for_a_date_and_reserves_nothing(
    admin_client, entity, sequence
):
    response = admin_client.get(
        "/admin/numbering/sequence/preview/",
        {"id": sequence.pk, "format": "RC-{yy}{MM}-{i3}", "reset": "calendar_year", "date": "2025-03-09"},
    )
    body = response.json()
    assert body["ok"] is True
    assert body["numbers"] == ["RC-2503-001", "RC-2503-002", "RC-2503-003"]
    assert not IssuedNumber.objects.exists()
    bad = admin_client.get(
        "/admin/numbering/sequence/preview/", {"entity": entity.pk, "format": "{zz}"}
    ).json()
    assert bad["ok"] is False and bad["error"]


def test_advance_requires_a_reason_and_records_the_skip(admin_client, sequence):
    url = f"/admin/numbering/sequence/{sequence.pk}/advance/"
    response = admin_client.post(url, {"date": "2026-04-01", "advance_to": 40, "reason": ""})
    assert response.status_code == 200
    assert not CounterEvent.objects.exists()
    response = admin_client.post(
        url, {"date": "2026-04-01", "advance_to": 40, "reason": "paper invoices until March"}
    )
    assert response.status_code == 302
    event = CounterEvent.objects.get()
    assert (event.value_after, event.reason, event.actor) == (40, "paper invoices until March", "user:acc")


def test_audit_page_shows_the_report(admin_client, sequence):
    from django.db import transaction

    with transaction.atomic():
        sequence_issue_next(sequence=sequence, document_type="test")
    page = admin_client.get(f"/admin/numbering/sequence/{sequence.pk}/audit/").content.decode()
    assert "No gaps" in page


def test_void_action_asks_for_a_reason_then_voids(admin_client, sequence):
    from django.db import transaction

    with transaction.atomic():
        issued = sequence_issue_next(sequence=sequence, document_type="test")
    changelist = "/admin/numbering/issuednumber/"
    ask = admin_client.post(changelist, {"action": "void_selected", "_selected_action": [str(issued.pk)]})
    assert ask.status_code == 200
    assert "reason" in ask.content.decode()
    done = admin_client.post(
        changelist, {"action": "void_selected", "_selected_action": [str(issued.pk)], "reason": "duplicate"}
    )
    assert done.status_code == 302
    issued.refresh_from_db()
    assert (issued.status, issued.void_reason) == ("voided", "duplicate")


def test_issued_numbers_cannot_be_added_changed_or_deleted(admin_client, sequence):
    assert admin_client.get("/admin/numbering/issuednumber/add/").status_code == 403
    from django.db import transaction

    with transaction.atomic():
        issued = sequence_issue_next(sequence=sequence, document_type="test")
    assert admin_client.get(f"/admin/numbering/issuednumber/{issued.pk}/delete/").status_code == 403
