"""Admin building blocks shared by every app: forms whose save is a service call."""

from erp.exceptions import FolioError


def adopt(target, source) -> None:
    """Make the admin's unsaved instance stand for the row a service created."""
    target.__dict__.update({k: v for k, v in source.__dict__.items() if k != "_state"})
    target._state.adding = False
    target._state.db = source._state.db


class ServiceFormMixin:
    """Turn a service's domain error into a form error on its field."""

    service_call = None

    def _post_clean(self):
        super()._post_clean()
        if self.errors or self.service_call is None:
            return
        try:
            self.result = self.service_call()
        except FolioError as error:
            field = error.param if error.param in self.fields else None
            self.add_error(field, error.message)


def actor_of(request) -> str:
    """Name an admin user for ledgers and counter events."""
    return f"user:{request.user.get_username()}"
