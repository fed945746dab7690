"""App config for payables."""

from django.apps import AppConfig


class PayablesConfig(AppConfig):
    name = "payables"
    verbose_name = "Payables"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # erp calls this without importing payables: load_demo adds vendors, bills and a credit.
        from erp.management.commands.load_demo import DEMO_DATA_STEPS
        from payables.services import payables_create_demo

        if payables_create_demo not in DEMO_DATA_STEPS:
            DEMO_DATA_STEPS.append(payables_create_demo)
