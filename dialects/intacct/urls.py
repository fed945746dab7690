"""/ia/api/v1: Intacct's document-sequence object and query service; any other path is an Intacct 404."""

from django.urls import path, re_path

from .errors import ia_not_found
from .views import DocumentSequenceDetailView, DocumentSequenceListView, QueryView

urlpatterns = [
    path(
        "objects/company-config/document-sequence",
        DocumentSequenceListView.as_view(),
        name="intacct-document-sequences",
    ),
    path(
        "objects/company-config/document-sequence/<str:key>",
        DocumentSequenceDetailView.as_view(),
        name="intacct-document-sequence",
    ),
    path("services/core/query", QueryView.as_view(), name="intacct-query"),
    re_path(r"^", ia_not_found),
]
