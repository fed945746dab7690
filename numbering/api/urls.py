"""Numbering API routes under /v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from numbering.api.issued_numbers import IssuedNumberViewSet
from numbering.api.migration import MigrationCountersAdvanceView, MigrationCountersView
from numbering.api.sequences import DocumentSequenceViewSet

router = SimpleRouter(trailing_slash=False)
router.register("document-sequences", DocumentSequenceViewSet, basename="document-sequence")
router.register("issued-numbers", IssuedNumberViewSet, basename="issued-number")

urlpatterns = [
    *router.urls,
    path(
        "entities/<uuid:entity_id>/migration/counters",
        MigrationCountersView.as_view(),
        name="migration-counters",
    ),
    path(
        "entities/<uuid:entity_id>/migration/counters/advance",
        MigrationCountersAdvanceView.as_view(),
        name="migration-counters-advance",
    ),
]
