"""App config for the platform package."""

from django.apps import AppConfig


class ErpConfig(AppConfig):
    name = "erp"
    verbose_name = "Platform"
    default_auto_field = "django.db.models.BigAutoField"
