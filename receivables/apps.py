"""App config for receivables."""

from django.apps import AppConfig


class ReceivablesConfig(AppConfig):
    name = "receivables"
    verbose_name = "Receivables"
    default_auto_field = "django.db.models.BigAutoField"
