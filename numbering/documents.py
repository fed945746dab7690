"""The documents numbers are bound to, read without importing them (docs/activity.md).

Numbering sits below the apps whose documents it numbers: the setting names each document type's model and
number field ("app_label.Model.number_field"), read through Django's app registry.
"""

from django.apps import apps
from django.conf import settings
from django.core.exceptions import ValidationError

# Statuses that mean a document is void (its number is then voided with it).
VOID_STATUSES = ("void", "voided")


def document_is_void(document_type: str, document_id: str) -> bool:
    """Tell whether the bound document exists and is void (a journal entry never is: it has no status)."""
    target = settings.FOLIO_NUMBERED_DOCUMENTS.get(document_type)
    if target is None:
        return False
    model = apps.get_model(target[0].rpartition(".")[0])
    if not any(field.name == "status" for field in model._meta.concrete_fields):
        return False
    try:
        return model._default_manager.filter(pk=document_id, status__in=VOID_STATUSES).exists()
    except (ValidationError, ValueError, TypeError):  # an id that is not the model's kind of key
        return False
