"""Platform API routes under /v1/."""

from django.urls import path
from rest_framework.routers import SimpleRouter

from erp.api.entities import EntityDetailView
from erp.api.ledger import AccountViewSet, JournalEntryViewSet

router = SimpleRouter(trailing_slash=False)
router.register("accounts", AccountViewSet, basename="account")
router.register("journal-entries", JournalEntryViewSet, basename="journal-entry")

urlpatterns = [
    path("entities/<uuid:entity_id>", EntityDetailView.as_view(), name="entity-detail"),
    *router.urls,
]
