"""App config for numbering."""

from django.apps import AppConfig


class NumberingConfig(AppConfig):
    name = "numbering"
    verbose_name = "Numbering"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        # erp calls these without importing numbering: every new entity gets its default sequences,
        # and the demo entity two showcase ones.
        from erp.management.commands.load_demo import DEMO_DATA_STEPS
        from erp.services.entities import ENTITY_SETUP_STEPS
        from numbering.services import sequences_create_defaults, sequences_create_demo

        if sequences_create_defaults not in ENTITY_SETUP_STEPS:
            ENTITY_SETUP_STEPS.append(sequences_create_defaults)
        if sequences_create_demo not in DEMO_DATA_STEPS:
            DEMO_DATA_STEPS.append(sequences_create_demo)
