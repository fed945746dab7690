"""The apps built on the platform, called by it through the dotted paths listed in settings.

The platform creates entities and the demo, but it sits below every other app and never imports
them: the settings name, in order, what a new entity gets (FOLIO_ENTITY_SETUP) and what the demo
entity adds (FOLIO_DEMO_DATA). That list is the whole wiring; no app registers itself at start-up.
"""

from collections.abc import Callable
from functools import cache

from django.conf import settings
from django.utils.module_loading import import_string


def wired_steps(setting: str) -> list[Callable]:
    """Return the keyword-only callables a setting lists, imported once per process."""
    return _imported(tuple(getattr(settings, setting)))


@cache
def _imported(paths: tuple[str, ...]) -> list[Callable]:
    return [import_string(path) for path in paths]
