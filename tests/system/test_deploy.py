"""Deploy: production settings pass the deployment checks and harden responses; admin login is throttled."""

import os
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
from django.conf import settings
from django.contrib.auth import get_user_model

ROOT = Path(__file__).resolve().parents[2]


def production_env() -> dict:
    db = settings.DATABASES["default"]
    env = dict(os.environ)
    env.update(
        FOLIO_ENV="production",
        SECRET_KEY=secrets.token_urlsafe(50),
        DATABASE_URL=f"postgresql://{db['USER']}:@/{db['NAME']}?host={db['HOST']}",
        ALLOWED_HOSTS="folio.example.com",
    )
    env.pop("DEBUG", None)
    # The browser tests allow sync ORM calls beside Playwright's loop; production never does.
    env.pop("DJANGO_ALLOW_ASYNC_UNSAFE", None)
    return env


def test_check_deploy_passes_at_warning_level():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_env(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = production_env()
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode != 0
    assert "SECRET_KEY must be set" in result.stderr


@pytest.mark.django_db
def test_responses_carry_csp_and_frame_protection(client):
    response = client.get("/healthz")
    assert "default-src 'self'" in response["Content-Security-Policy"]
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.django_db
def test_admin_login_is_throttled_after_repeated_failures(client, settings):
    get_user_model().objects.create_superuser("target", "t@example.com", "the-right-password-1")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post("/admin/login/?next=/admin/", {"username": "target", "password": "wrong"})
    response = client.post(
        "/admin/login/?next=/admin/", {"username": "target", "password": "the-right-password-1"}
    )
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
