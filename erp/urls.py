"""Folio's URLs: admin, the /v1 API, its schema and docs, health probes."""

from django.contrib import admin
from django.urls import include, path, re_path
from drf_spectacular.views import SpectacularJSONAPIView, SpectacularSwaggerView

from erp.api.errors import not_found_view
from erp.health import healthz, readyz

api_v1 = [
    path("", include("erp.api.urls")),
    path("", include("numbering.api.urls")),
    path("", include("ledger.api.urls")),
    path("", include("receivables.api.urls")),
    path("", include("payables.api.urls")),
]

urlpatterns = [
    path("admin/", admin.site.urls),
    path("v1/openapi.json", SpectacularJSONAPIView.as_view(), name="openapi-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="openapi-schema"), name="api-docs"),
    path("v1/", include(api_v1)),
    path("ia/api/v1/", include("dialects.intacct.urls")),
    # Unknown API paths answer with the error envelope even when DEBUG shows HTML elsewhere.
    re_path(r"^v1/", not_found_view),
    path("portos/", include("dialects.portos.urls")),
    path("healthz", healthz, name="healthz"),
    path("readyz", readyz, name="readyz"),
    # The home dashboard (ledger/reports/home.py); signed out, it sends to the admin login.
    path("", include("ledger.reports.urls")),
]

handler404 = "erp.api.errors.not_found_view"
handler500 = "erp.api.errors.server_error_view"
