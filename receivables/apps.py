"""App config for receivables."""

from django.apps import AppConfig


class ReceivablesConfig(AppConfig):
    name = "receivables"
    verbose_name = "Receivables"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # load_demo calls this without importing receivables: the demo entity gets customers,
        # invoices and a payment.
        from erp.management.commands.load_demo import DEMO_DATA_STEPS
        from receivables.services.demo import receivables_create_demo

        if receivables_create_demo not in DEMO_DATA_STEPS:
            DEMO_DATA_STEPS.append(receivables_create_demo)
