"""Platform API routes under /v1/."""

from django.urls import path

from erp.api.entities import EntityDetailView

urlpatterns = [
    path("entities/<uuid:entity_id>", EntityDetailView.as_view(), name="entity-detail"),
]
