"""Admin sign-in: sessions end after 8 idle hours; failed logins lock the username out from every address."""

import datetime

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session
from django.test import Client
from django.utils import timezone

pytestmark = pytest.mark.django_db

EIGHT_HOURS = datetime.timedelta(hours=8)
PASSWORD = "the-right-password-1"


@pytest.fixture
def accountant():
    return get_user_model().objects.create_superuser("accountant", "acc@example.com", PASSWORD)


def only_session() -> Session:
    (session,) = Session.objects.all()
    return session


def assert_expires_in_eight_hours(session: Session) -> None:
    left = session.expire_date - timezone.now()
    assert EIGHT_HOURS - datetime.timedelta(minutes=1) < left <= EIGHT_HOURS


def test_sessions_last_eight_hours_and_every_request_moves_the_end():
    assert settings.SESSION_COOKIE_AGE == 8 * 3600
    assert settings.SESSION_SAVE_EVERY_REQUEST is True


def test_a_session_used_within_eight_hours_stays_open_and_its_expiry_moves_ahead(client, accountant):
    client.force_login(accountant)
    assert_expires_in_eight_hours(only_session())
    # As if 7 h 59 min had passed without a request: one minute left.
    Session.objects.update(expire_date=timezone.now() + datetime.timedelta(minutes=1))

    response = client.get("/admin/")
    assert response.status_code == 200
    assert_expires_in_eight_hours(only_session())
    assert response.cookies["sessionid"]["max-age"] == 8 * 3600


def test_a_session_idle_for_eight_hours_is_closed(client, accountant):
    client.force_login(accountant)
    Session.objects.update(expire_date=timezone.now() - datetime.timedelta(seconds=1))

    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def login(username: str, password: str, *, address: str):
    """Post the admin login form from a fresh browser at `address`."""
    return Client(REMOTE_ADDR=address).post(
        "/admin/login/?next=/admin/", {"username": username, "password": password}
    )


def test_failures_from_a_new_address_each_time_still_lock_the_username(accountant):
    get_user_model().objects.create_superuser("colleague", "c@example.com", PASSWORD)
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        login("accountant", f"guess-{attempt}", address=f"203.0.113.{attempt + 1}")

    # The right password, from yet another address, is refused for the hour.
    refused = login("accountant", PASSWORD, address="198.51.100.7")
    assert refused.status_code == 429
    assert "_auth_user_id" not in refused.wsgi_request.session
    # The lock is on the username, not on the addresses: a colleague still signs in from them.
    assert login("colleague", PASSWORD, address="203.0.113.1").status_code == 302


def test_fewer_failures_than_the_limit_do_not_lock(accountant):
    for attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        login("accountant", f"guess-{attempt}", address=f"203.0.113.{attempt + 1}")
    assert login("accountant", PASSWORD, address="198.51.100.7").status_code == 302
