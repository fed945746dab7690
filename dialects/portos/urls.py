"""PORTOS routes under /portos/ (docs/dialects.md)."""

from django.urls import path, re_path

from dialects.portos.views import StockTransferNumberingsView, StockTransferNumberingView, portos_not_found

urlpatterns = [
    path("stocktransfernumberings", StockTransferNumberingsView.as_view(), name="portos-numberings"),
    path(
        "stocktransfernumberings/<str:portos_id>",
        StockTransferNumberingView.as_view(),
        name="portos-numbering",
    ),
    # Any other /portos/ path answers the native 404 envelope, not Django's HTML page.
    re_path(r"", portos_not_found),
]
