"""Bench-only URLs: Folio's, plus the bare DRF + django-sequences baseline (bench/bare.py)."""

from django.urls import path

from bench.bare import BareNextValueView
from erp.urls import handler404, handler500
from erp.urls import urlpatterns as folio_urlpatterns

urlpatterns = [path("bench/bare-next-value", BareNextValueView.as_view()), *folio_urlpatterns]

__all__ = ["handler404", "handler500", "urlpatterns"]
