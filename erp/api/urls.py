"""Platform API routes under /v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from erp.api.activity import ActivityViewSet
from erp.api.entities import EntityDetailView

activity = SimpleRouter(trailing_slash=False)
activity.register("activity", ActivityViewSet, basename="activity")

urlpatterns = [
    path("entities/<uuid:entity_id>", EntityDetailView.as_view(), name="entity-detail"),
    *activity.urls,
]
