"""App config for the platform package."""

from django.apps import AppConfig


class ErpConfig(AppConfig):
    name = "erp"
    verbose_name = "Platform"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # Every new entity gets the default chart of accounts its postings need.
        from erp.services.entities import ENTITY_SETUP_STEPS
        from erp.services.ledger import accounts_create_defaults

        if accounts_create_defaults not in ENTITY_SETUP_STEPS:
            ENTITY_SETUP_STEPS.append(accounts_create_defaults)
