"""The pages beside the admin served by the ledger: the home dashboard at `/`."""

from django.urls import path

from ledger.reports.home import home

urlpatterns = [path("", home, name="home")]
