"""Probes, the OpenAPI schema and its docs page."""

import pytest

pytestmark = pytest.mark.django_db


def test_healthz_and_readyz(client):
    assert client.get("/healthz").json() == {"status": "ok"}
    response = client.get("/readyz")
    assert response.status_code == 200
    assert response.json() == {"status": "ok", "database": "ok"}


def test_openapi_schema_is_public_and_documents_bearer_auth(client):
    response = client.get("/v1/openapi.json")
    assert response.status_code == 200
    schema = response.json()
    assert schema["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
    assert "/v1/entities/{entity_id}" in schema["paths"]


def test_swagger_ui_is_served_offline(client):
    response = client.get("/docs/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "swagger-ui" in html
    assert "cdn" not in html.lower()
