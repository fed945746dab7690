"""Per-entity access in every model admin (docs/access.md): lists, pages, pickers, filters and actions.

:class:`EntityAccessMixin` is part of :class:`erp.adminkit.ServiceAdmin` and
:class:`erp.adminkit.ReadOnlyAdmin`, so every Folio model admin has it. For a model with an
``entity`` (or Entity itself) it

- lists only rows of the entities the user is a member of (their test books included);
- answers 404 for another entity's row (change, delete, history and every page that looks a row up
  with :meth:`get_object`);
- offers add, change, delete and actions only with the role ``write_role`` on the row's entity (on
  some entity, for the list), on top of Django's model permissions;
- offers in a ForeignKey picker, typed-in (the admin's autocomplete) or not, only rows of the entities
  the user may write to;
- filters lists by entity (and by any related row with an entity) only among the user's rows.

Pages that build their own forms call :func:`scope_form`. Superusers see everything.
"""

from functools import cache

from django import forms
from django.apps import apps
from django.contrib import admin, messages
from django.contrib.admin import helpers
from django.contrib.admin.options import IncorrectLookupParameters
from django.core.exceptions import FieldDoesNotExist
from django.http import Http404

from erp.access import Role, entities_for, entity_path_of, may, restrict

__all__ = ["EntityAccessMixin", "scope_form"]

_CACHE = "_folio_entity_access"


def scope_form(form: forms.Form, request, role: str = Role.ACCOUNTANT) -> forms.Form:
    """Narrow every model choice of `form` to rows of the entities `request.user` holds `role` on."""
    for field in form.fields.values():
        if isinstance(field, forms.ModelChoiceField):
            path = entity_path_of(field.queryset.model)
            if path is not None:
                field.queryset = restrict(field.queryset, request.user, path, role)
    return form


def _related_filter(model, name):
    """Return a list filter naming a relation to rows with an entity as one showing only the user's rows."""
    if not isinstance(name, str) or "__" in name:
        return name
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return name
    related = getattr(field, "related_model", None)
    if field.is_relation and related is not None and entity_path_of(related) is not None:
        return (name, admin.RelatedOnlyFieldListFilter)
    return name


def _picker_role(request, admin_site) -> str | None:
    """Return the role the picker an autocomplete request serves needs (its form's write role), or None."""
    match = getattr(request, "resolver_match", None)
    if match is None or match.url_name != "autocomplete":
        return None
    try:
        source = apps.get_model(request.GET["app_label"], request.GET["model_name"])
    except (KeyError, LookupError, ValueError):
        return None  # the autocomplete view refuses such a request itself
    return getattr(admin_site._registry.get(source), "write_role", Role.ACCOUNTANT)


@cache
def _scoped_changelist(base: type) -> type:
    class ScopedChangeList(base):
        """A list whose relation filters offer only the values in the user's own rows."""

        def get_filters(self, request, *args, **kwargs):
            if any("\x00" in name or "\x00" in "".join(values) for name, values in request.GET.lists()):
                # PostgreSQL text cannot hold NUL: the list answers as for any bad filter (?e=1), not 500.
                raise IncorrectLookupParameters("A filter holds a NUL character.")
            if not request.user.is_superuser:
                self.list_filter = [_related_filter(self.model, name) for name in self.list_filter]
            return super().get_filters(request, *args, **kwargs)

    return ScopedChangeList


class EntityAccessMixin:
    """Model admin rows, pages and pickers limited to the user's entities (see the module docstring)."""

    # The role a member needs on a row's entity to add, change, delete it or run an action on it.
    write_role: str = Role.ACCOUNTANT

    @property
    def entity_path(self) -> str | None:
        """The lookup from this admin's model to its entity ("" for Entity), None if it has none."""
        return entity_path_of(self.model)

    def entity_access(self, request, obj, role: str) -> bool:
        """Tell whether the user holds `role` on `obj`'s entity, or on some entity when `obj` is None."""
        path = self.entity_path
        if path is None or request.user.is_superuser:
            return True
        cache = request.__dict__.setdefault(_CACHE, {})
        if obj is None:
            key = (None, role)
            if key not in cache:
                cache[key] = entities_for(request.user, role).exists()
            return cache[key]
        entity = obj if path == "" else getattr(obj, path)
        key = (entity.pk, role)
        if key not in cache:
            cache[key] = may(request.user, entity, role)
        return cache[key]

    def get_queryset(self, request):
        queryset = super().get_queryset(request)
        path = self.entity_path
        return queryset if path is None else restrict(queryset, request.user, path)

    def get_object(self, request, object_id, from_field=None):
        obj = super().get_object(request, object_id, from_field)
        if obj is None and self.entity_path is not None:
            # Another entity's row is not found, as a row that never existed (no existence leak).
            raise Http404(f"No {self.model._meta.verbose_name} with this id.")
        return obj

    def has_view_permission(self, request, obj=None):
        return super().has_view_permission(request, obj) and self.entity_access(request, obj, Role.VIEWER)

    def has_add_permission(self, request, *args):
        return super().has_add_permission(request, *args) and self.entity_access(
            request, None, self.write_role
        )

    def has_change_permission(self, request, obj=None):
        return super().has_change_permission(request, obj) and self.entity_access(
            request, obj, self.write_role
        )

    def has_delete_permission(self, request, obj=None):
        return super().has_delete_permission(request, obj) and self.entity_access(
            request, obj, self.write_role
        )

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        path = entity_path_of(db_field.related_model)
        if path is not None and "queryset" not in kwargs:
            base = self.get_field_queryset(None, db_field, request)
            if base is None:
                base = db_field.related_model._default_manager.all()
            kwargs["queryset"] = restrict(base, request.user, path, self.write_role)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_search_results(self, request, queryset, search_term):
        search_term = search_term.replace("\x00", "")  # PostgreSQL text cannot hold NUL
        queryset, may_have_duplicates = super().get_search_results(request, queryset, search_term)
        role = _picker_role(request, self.admin_site)
        path = self.entity_path
        if role is not None and path is not None and not request.user.is_superuser:
            # The admin's autocomplete reads this list for another model's picker: offer what that
            # picker accepts (formfield_for_foreignkey), not every row the user may read.
            queryset = restrict(queryset, request.user, path, role)
        return queryset, may_have_duplicates

    def get_changelist(self, request, **kwargs):
        return _scoped_changelist(super().get_changelist(request, **kwargs))

    def response_action(self, request, queryset, *args, **kwargs):
        path = self.entity_path
        if path is None or request.user.is_superuser:
            return super().response_action(request, queryset, *args, **kwargs)
        allowed = restrict(queryset, request.user, path, self.write_role)
        selected = request.POST.getlist(helpers.ACTION_CHECKBOX_NAME)
        if selected and request.POST.get("select_across") != "1":
            skipped = queryset.filter(pk__in=selected).exclude(pk__in=allowed.values("pk")).count()
            if skipped:
                self.message_user(
                    request,
                    f"{skipped} selected row(s) left out: your role on their entity does not allow this.",
                    messages.WARNING,
                )
        return super().response_action(request, allowed, *args, **kwargs)
