"""App config for numbering."""

from django.apps import AppConfig


class NumberingConfig(AppConfig):
    name = "numbering"
    verbose_name = "Numbering"
    default_auto_field = "django.db.models.BigAutoField"
