"""App config for payables."""

from django.apps import AppConfig


class PayablesConfig(AppConfig):
    name = "payables"
    verbose_name = "Payables"
    default_auto_field = "django.db.models.BigAutoField"
