"""Numbering admin: sequences through the services, live preview, advance with reason, audit, void."""

import re

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, transaction
from django.utils import timezone

from numbering.models import CounterEvent, IssuedNumber, Sequence
from numbering.services import (
    counter_advance,
    issued_number_void,
    sequence_create,
    sequence_issue_next,
    sequence_update,
)

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
        "period_anchor": "",
        "warning_threshold": "",
        "stock_transfer_type": "",
        "portos_id": "",
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


def open_change_form(admin_client, sequence) -> int:
    """GET the change page as a browser would and return the version its form will submit back."""
    page = admin_client.get(f"/admin/numbering/sequence/{sequence.pk}/change/").content.decode()
    return int(re.search(r'name="loaded_version" value="(\d+)"', page).group(1))


def change_data(entity, loaded_version, **overrides):
    data = form_data(entity, name="Receipts", format="RC-{yyyy}-{i4}", loaded_version=loaded_version)
    data.pop("entity")  # read-only once the sequence exists
    data.update(overrides)
    return data


def test_editing_bumps_the_version(admin_client, entity, sequence):
    loaded = open_change_form(admin_client, sequence)
    assert loaded == 1
    data = change_data(entity, loaded, format="RC-{yyyy}-{i6}")
    response = admin_client.post(f"/admin/numbering/sequence/{sequence.pk}/change/", data)
    assert response.status_code == 302, response.content.decode()[:3000]
    sequence.refresh_from_db()
    assert sequence.format == "RC-{yyyy}-{i6}"
    assert sequence.version == 2


def test_a_stale_change_form_is_refused_and_the_other_change_survives(admin_client, entity, sequence):
    # Given an accountant opened the change form at version 1
    loaded = open_change_form(admin_client, sequence)
    # and meanwhile an integration renamed the print title (version 2)
    sequence_update(sequence=sequence, expected_version=1, actor="api", print_title="Receipts (API)")
    # When the accountant submits the form they loaded (still showing an empty print title)
    data = change_data(entity, loaded, format="RC-{yyyy}-{i6}", print_title="")
    response = admin_client.post(f"/admin/numbering/sequence/{sequence.pk}/change/", data)
    # Then nothing of theirs is saved, they are told to reload, and the other change stays
    assert response.status_code == 200
    assert "Someone else changed this sequence since you opened it" in response.content.decode()
    sequence.refresh_from_db()
    assert (sequence.format, sequence.print_title, sequence.version) == (
        "RC-{yyyy}-{i4}",
        "Receipts (API)",
        2,
    )


def test_a_change_form_without_its_loaded_version_is_refused(admin_client, entity, sequence):
    data = change_data(entity, "", format="RC-{yyyy}-{i6}")
    response = admin_client.post(f"/admin/numbering/sequence/{sequence.pk}/change/", data)
    assert response.status_code == 200
    assert "reload the page" in response.content.decode()
    sequence.refresh_from_db()
    assert (sequence.format, sequence.version) == ("RC-{yyyy}-{i4}", 1)


@pytest.fixture
def cheques(entity):
    """A bounded sequence of 10 numbers that warns when 3 or fewer are left."""
    return sequence_create(
        entity=entity, name="Cheques", format="CH-{i4}", ending_number=10, warning_threshold=3
    )


def test_a_sequence_at_its_warning_threshold_is_flagged_on_its_page_and_in_the_list(admin_client, cheques):
    counter_advance(sequence=cheques, advance_to=7, reason="cheque book started elsewhere", actor="test")
    page = admin_client.get(f"/admin/numbering/sequence/{cheques.pk}/change/").content.decode()
    assert "Only 3 number(s) left in the current period (warning threshold 3)" in page
    changelist = admin_client.get("/admin/numbering/sequence/").content.decode()
    assert 'class="remaining-low"' in changelist
    assert "⚠ 3" in changelist


def test_a_sequence_above_its_warning_threshold_is_not_flagged(admin_client, cheques, sequence):
    counter_advance(sequence=cheques, advance_to=6, reason="cheque book started elsewhere", actor="test")
    page = admin_client.get(f"/admin/numbering/sequence/{cheques.pk}/change/").content.decode()
    assert "left in the current period" not in page
    changelist = admin_client.get("/admin/numbering/sequence/").content.decode()
    assert "remaining-low" not in changelist
    assert '<td class="field-remaining">4</td>' in changelist
    assert '<td class="field-remaining">unbounded</td>' in changelist  # `sequence` has no end


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
    typed = {"date": "2026-04-01", "advance_to": 40, "reason": "paper invoices until March"}
    response = admin_client.post(url, typed)
    assert response.status_code == 200  # first, what the advance skips, and a button to confirm it
    assert "Confirm the advance" in response.content.decode()
    assert not CounterEvent.objects.exists()
    response = admin_client.post(url, typed | {"confirmed": "on"})
    assert response.status_code == 302
    event = CounterEvent.objects.get()
    assert (event.value_after, event.reason, event.actor) == (40, "paper invoices until March", "user:acc")


def test_audit_page_shows_the_report(admin_client, sequence):
    with transaction.atomic():
        sequence_issue_next(sequence=sequence, document_type="test")
    page = admin_client.get(f"/admin/numbering/sequence/{sequence.pk}/audit/").content.decode()
    assert "No gaps" in page


def test_void_action_asks_for_a_reason_then_voids(admin_client, sequence):
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
    with transaction.atomic():
        issued = sequence_issue_next(sequence=sequence, document_type="test")
    assert admin_client.get(f"/admin/numbering/issuednumber/{issued.pk}/delete/").status_code == 403


def test_voiding_a_number_voided_meanwhile_reports_it_and_voids_the_rest(admin_client, sequence):
    with transaction.atomic():
        first = sequence_issue_next(sequence=sequence, document_type="test")
        second = sequence_issue_next(sequence=sequence, document_type="test")
    # Given another accountant voided the first number after this one selected both
    issued_number_void(issued_number=first, reason="typo", voided_by="user:other")
    # When this accountant confirms the void
    response = admin_client.post(
        "/admin/numbering/issuednumber/",
        {
            "action": "void_selected",
            "_selected_action": [str(first.pk), str(second.pk)],
            "reason": "duplicate",
        },
        follow=True,
    )
    # Then they read why the first was refused, the second is voided, the first keeps its reason
    assert response.status_code == 200
    page = response.content.decode()
    assert f"{first.number} is already voided." in page
    assert "Voided 1 of 2 issued numbers." in page
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.void_reason, first.voided_by) == ("typo", "user:other")
    assert (second.status, second.void_reason) == ("voided", "duplicate")


def test_the_change_page_shows_periods_and_counter_events_inline(admin_client, sequence):
    today = timezone.localdate()
    counter_advance(
        sequence=sequence, advance_to=40, reason="paper invoices until March", actor="user:acc", date=today
    )
    with transaction.atomic():
        issued = sequence_issue_next(sequence=sequence, date=today, document_type="test")
    page = admin_client.get(f"/admin/numbering/sequence/{sequence.pk}/change/").content.decode()
    page = re.sub(r">\s+<", "><", page)  # the inline cells are indented across lines
    periods = page[page.index('id="periods-group"') : page.index('id="counter_events-group"')]
    assert f'<td class="field-label"><p>{issued.period.label}</p></td>' in periods
    assert '<td class="field-last_value"><p>41</p></td>' in periods
    events = page[page.index('id="counter_events-group"') :]
    assert "paper invoices until March" in events
    assert '<td class="field-value_after"><p>40</p></td>' in events


def test_a_sequence_that_issued_numbers_cannot_be_deleted(admin_client, sequence):
    with transaction.atomic():
        sequence_issue_next(sequence=sequence, document_type="test")
    url = f"/admin/numbering/sequence/{sequence.pk}/delete/"
    assert admin_client.get(url).status_code == 403
    assert admin_client.post(url, {"post": "yes"}).status_code == 403
    assert Sequence.objects.filter(pk=sequence.pk).exists()


def test_a_sequence_that_never_issued_a_number_can_be_deleted(admin_client, sequence):
    response = admin_client.post(f"/admin/numbering/sequence/{sequence.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    assert not Sequence.objects.filter(pk=sequence.pk).exists()


@pytest.mark.django_db(transaction=True)
def test_a_delete_refused_under_the_lock_is_a_message_not_a_500(admin_client, sequence, settings):
    # Another transaction holds the sequence (as a concurrent edit or issuer would) past the lock
    # timeout: the service refuses with sequence_busy, and the admin says so.
    settings.NUMBERING_LOCK_TIMEOUT_MS = 200
    holder = connection.get_new_connection(connection.get_connection_params())
    try:
        holder.execute("SELECT 1 FROM numbering_sequence WHERE id = %s FOR UPDATE", [sequence.pk])
        response = admin_client.post(
            f"/admin/numbering/sequence/{sequence.pk}/delete/", {"post": "yes"}, follow=True
        )
    finally:
        holder.rollback()
        holder.close()
    assert response.redirect_chain[0] == (f"/admin/numbering/sequence/{sequence.pk}/change/", 302)
    assert "The sequence is busy" in response.content.decode()
    assert Sequence.objects.filter(pk=sequence.pk).exists()


def test_a_sequence_is_found_by_its_intacct_key_or_portos_id_and_shows_both(admin_client, entity):
    typed = sequence_create(entity=entity, name="Transfers", stock_transfer_type="Transfer")
    sequence_create(entity=entity, name="Others")
    by_key = admin_client.get("/admin/numbering/sequence/", {"q": str(typed.key)}).content.decode()
    by_portos_id = admin_client.get("/admin/numbering/sequence/", {"q": typed.portos_id}).content.decode()
    for page in (by_key, by_portos_id):
        assert "Transfers" in page and "Others" not in page
    assert admin_client.get("/admin/numbering/sequence/", {"q": "not-a-key"}).status_code == 200
    page = admin_client.get(f"/admin/numbering/sequence/{typed.pk}/change/").content.decode()
    assert str(typed.key) in page and typed.portos_id in page and "Transfer" in page
