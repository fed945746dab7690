"""One real object per API model, created through the services, for the isolation matrix."""

from collections.abc import Callable

from django.db import transaction

_MAKERS: dict[str, Callable] = {}


def maker(label: str):
    """Register the function that creates an object of `app_label.ModelName` for an entity."""

    def register(function):
        _MAKERS[label] = function
        return function

    return register


def object_for(model, *, entity):
    """Create an object of `model` owned by `entity`; fail if no maker is registered for it."""
    label = f"{model._meta.app_label}.{model.__name__}"
    if label not in _MAKERS:
        raise AssertionError(f"tests/system/objects.py has no maker for {label}: add one")
    return _MAKERS[label](entity)


@maker("numbering.Sequence")
def _sequence(entity):
    from numbering.services import sequence_create

    return sequence_create(entity=entity, name="Matrix", format="MX-{i4}", reset="never")


@maker("numbering.IssuedNumber")
def _issued_number(entity):
    from numbering.services import sequence_issue_next

    with transaction.atomic():
        return sequence_issue_next(sequence=_sequence(entity), document_type="matrix")
