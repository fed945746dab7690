"""Whose books a signed-in user's report pages and home page may show (erp/access.py decides)."""

from django.db.models import QuerySet

from erp.access import entities_for


def report_entities(user) -> QuerySet:
    """Return the entities `user` may read reports of (live and test books); every one for a superuser."""
    return entities_for(user).order_by("name")
