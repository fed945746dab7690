"""The sequence admin: the next number in the list, advance counter with its current value and a confirmation,
and a starting number that can no longer apply refused instead of "saved"."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from erp.services.memberships import membership_grant
from numbering.models import CounterEvent
from numbering.services import sequence_issue_next
from tests.numbering.factories import SequenceFactory

pytestmark = pytest.mark.django_db

LIST = "/admin/numbering/sequence/"


def issue(sequence, count: int = 1) -> None:
    with transaction.atomic():
        for _ in range(count):
            sequence_issue_next(sequence=sequence, document_type="test")


def test_the_list_shows_each_sequences_next_number_without_a_query_per_row(admin_client, entity):
    used = SequenceFactory(entity=entity, name="Receipts", fixed_prefix="RC", fixed_length=4)
    issue(used, 3)
    SequenceFactory(entity=entity, name="Unused", fixed_prefix="UN", fixed_length=4)
    page = admin_client.get(LIST)
    assert page.status_code == 200
    body = page.content.decode()
    assert "RC0004" in body and "UN0001" in body
    assert "next number" in body.lower()

    with CaptureQueriesContext(connection) as few:
        admin_client.get(LIST)
    for n in range(8):
        SequenceFactory(entity=entity, name=f"More {n}", ending_number=1000)
    with CaptureQueriesContext(connection) as many:
        admin_client.get(LIST)
    assert len(many) == len(few)  # ten more rows, not one query more


def test_advance_shows_the_current_value_then_asks_to_confirm(admin_client, entity):
    sequence = SequenceFactory(entity=entity, name="Checks", fixed_prefix="CK", fixed_length=4)
    issue(sequence, 2)
    url = f"/admin/numbering/sequence/{sequence.pk}/advance/"
    page = admin_client.get(url).content.decode()
    assert 'id="counter-current">2<' in page and "CK0003" in page

    typed = {"date": "", "advance_to": "10", "reason": "checks 3–10 were written by hand"}
    typed["date"] = page.split('name="date" value="')[1].split('"')[0]  # today, as the form offers it
    review = admin_client.post(url, typed).content.decode()
    assert "Confirm the advance" in review
    assert "the 8 values 3–10 will never be issued" in review
    assert 'id="advance-next-number">CK0011<' in review
    assert not CounterEvent.objects.filter(kind="advance").exists()

    again = admin_client.post(url, typed | {"confirmed": "on", "_edit": "1"}).content.decode()
    assert "Confirm the advance" not in again  # back to the values, nothing done
    assert not CounterEvent.objects.filter(kind="advance").exists()

    done = admin_client.post(url, typed | {"confirmed": "on"})
    assert done.status_code == 302
    event = CounterEvent.objects.get(kind="advance")
    assert (event.value_before, event.value_after) == (2, 10)


def test_advance_below_the_current_value_is_refused_at_its_field(admin_client, entity):
    sequence = SequenceFactory(entity=entity)
    issue(sequence, 5)
    url = f"/admin/numbering/sequence/{sequence.pk}/advance/"
    today = admin_client.get(url).content.decode().split('name="date" value="')[1].split('"')[0]
    response = admin_client.post(url, {"date": today, "advance_to": "3", "reason": "oops", "confirmed": "on"})
    assert response.context["form"].errors["advance_to"] == [
        "The counter is already at 5: it only moves forward. Enter a value above 5."
    ]
    assert not CounterEvent.objects.filter(kind="advance").exists()


def change_form(admin_client, sequence) -> dict:
    """The change form's fields as the browser would post them back."""
    form = admin_client.get(f"/admin/numbering/sequence/{sequence.pk}/change/").context["adminform"].form
    data = {}
    for name in form.fields:
        value = form[name].value()
        if value is None:
            continue
        data[name] = "on" if value is True else ("" if value is False else value)
    return {k: v for k, v in data.items() if v != ""}


def test_a_new_starting_number_on_a_counting_sequence_that_never_resets_is_refused(admin_client, entity):
    sequence = SequenceFactory(entity=entity, name="Plain", fixed_prefix="PL", fixed_length=4)
    issue(sequence)
    data = change_form(admin_client, sequence) | {"starting_number": "500"}
    response = admin_client.post(f"/admin/numbering/sequence/{sequence.pk}/change/", data)
    assert response.status_code == 200
    [message] = response.context["adminform"].form.errors["starting_number"]
    assert "would change nothing" in message and "Advance counter" in message
    sequence.refresh_from_db()
    assert sequence.starting_number == 1


def test_advance_counter_is_offered_only_to_those_who_may_change_the_sequence(client, entity):
    sequence = SequenceFactory(entity=entity)
    user = get_user_model().objects.create_user("reader", "r@example.com", "unused-password-1", is_staff=True)
    membership_grant(user=user, entity=entity, role="accountant")
    user.user_permissions.add(Permission.objects.get(codename="view_sequence"))
    client.force_login(user)
    page = client.get(f"/admin/numbering/sequence/{sequence.pk}/change/").content.decode()
    assert 'id="audit-link"' in page
    assert 'id="advance-counter-link"' not in page
    assert client.get(f"/admin/numbering/sequence/{sequence.pk}/advance/").status_code == 403

    user.user_permissions.add(Permission.objects.get(codename="change_sequence"))
    client.force_login(get_user_model().objects.get(pk=user.pk))  # permissions are cached per user object
    page = client.get(f"/admin/numbering/sequence/{sequence.pk}/change/").content.decode()
    assert 'id="advance-counter-link"' in page


@pytest.mark.parametrize(
    ("ending_number", "advance_to", "words"),
    [(None, "1000000000000", "999,999,999,999"), (50, "51", "ending number 50")],
)
def test_an_advance_the_service_refuses_is_refused_before_the_confirmation(
    admin_client, entity, ending_number, advance_to, words
):
    """The review step never asks to confirm an advance past the cap or the ending number."""
    sequence = SequenceFactory(entity=entity, fixed_prefix="CK", fixed_length=4, ending_number=ending_number)
    issue(sequence, 2)
    url = f"/admin/numbering/sequence/{sequence.pk}/advance/"
    today = admin_client.get(url).content.decode().split('name="date" value="')[1].split('"')[0]

    review = admin_client.post(url, {"date": today, "advance_to": advance_to, "reason": "typo"})

    assert review.status_code == 200
    assert "Confirm the advance" not in review.content.decode()
    [message] = review.context["form"].errors["advance_to"]
    assert words in message
    assert not CounterEvent.objects.filter(kind="advance").exists()
