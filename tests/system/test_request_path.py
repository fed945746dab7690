"""The request path's guarantees after its speed-ups (docs/benchmarks.md, "HTTP: the API path")."""

import json
import os
import subprocess
import sys

import pytest
from django.conf import settings

from erp.services.api_keys import api_key_create, api_key_revoke

ROOT = settings.BASE_DIR


def database_settings(**env) -> dict:
    """Return DATABASES["default"]'s connection settings as erp/settings.py computes them under `env`."""
    code = (
        "import json, erp.settings as s; d = s.DATABASES['default'];"
        "print(json.dumps([d['CONN_MAX_AGE'], d['CONN_HEALTH_CHECKS']]))"
    )
    environ = {k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "CONN_MAX_AGE"}} | env
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_connections_persist_with_health_checks_in_every_configuration():
    assert database_settings() == [600, True]  # the embedded default
    assert database_settings(DATABASE_URL="postgres://folio@db.invalid/folio") == [600, True]
    assert database_settings(CONN_MAX_AGE="30") == [30, True]


@pytest.mark.django_db
def test_a_revoked_key_is_refused_on_its_next_request(entity, client_for_token):
    api_key, token = api_key_create(entity=entity, scopes=["numbering:read"])
    api = client_for_token(token)
    assert api.get(f"/v1/entities/{entity.pk}").status_code == 200
    api_key_revoke(api_key=api_key, revoked_by="test")
    response = api.get(f"/v1/entities/{entity.pk}")
    assert response.status_code == 401
    assert response.json()["error"]["message"] == "The API key has been revoked."


def test_a_server_process_loads_every_view_and_freezes_what_start_up_built():
    # erp/wsgi.py: start-up's objects are frozen, so a full collection no longer walks them mid-request.
    code = (
        "import gc, sys, erp.wsgi;"
        "print(gc.get_freeze_count(), 'numbering.api.sequences' in sys.modules, len(gc.get_objects()))"
    )
    environ = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=environ, capture_output=True, text=True)
    assert out.returncode == 0, out.stderr
    frozen, views_loaded, tracked = out.stdout.split()
    assert int(frozen) > 50_000 and views_loaded == "True"
    assert int(tracked) < 1_000  # what is left to collect: only what was made after the freeze
