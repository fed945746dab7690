"""API keys: created through api_key_create (the token shown once, on its own page), revoked by an action."""

import secrets

from django import forms
from django.contrib import admin, messages
from django.utils.cache import add_never_cache_headers

from erp.access import Role, restrict
from erp.adminkit import ServiceAdmin, ServiceForm, actor_of, render_page, saved_object
from erp.models import ApiKey, Entity
from erp.scopes import SCOPES
from erp.services.api_keys import api_key_create, api_key_revoke

VIEW_FIELDS = [
    "id",
    "entity",
    "name",
    "prefix",
    "livemode",
    "scopes",
    "created_at",
    "last_used_at",
    "revoked_at",
    "revoked_by",
]
# Where the new key's token waits on the request between the service call and the page showing it.
_NEW_TOKEN = "_folio_new_api_key_token"
# The add forms this session opened and has not sent yet (random ids, never a token). The token page
# answers the POST itself, so a refresh, or back and Save, sends the same form again: its id is spent
# by then, and the page says so instead of creating a second key.
_OPEN_FORMS = "folio_api_key_add_forms"
_OPEN_FORMS_KEPT = 20
ALREADY_SENT = (
    "This form was already sent: its key was created and the token shown once. Find the key under API keys "
    "(revoke it if the token was lost), or fill in this new form to create another."
)


def open_form(request) -> str:
    """Remember a new add form for this session; return its id."""
    once = secrets.token_urlsafe(16)
    request.session[_OPEN_FORMS] = [*request.session.get(_OPEN_FORMS, [])[-(_OPEN_FORMS_KEPT - 1) :], once]
    return once


def form_is_open(request, once: str) -> bool:
    """Return whether `once` is an add form this session opened and has not sent."""
    return bool(once) and once in request.session.get(_OPEN_FORMS, [])


def close_form(request, once: str) -> None:
    """Spend an add form's id: the same form sent again creates nothing."""
    request.session[_OPEN_FORMS] = [o for o in request.session.get(_OPEN_FORMS, []) if o != once]


class ApiKeyCreateForm(ServiceForm, forms.ModelForm):
    scopes = forms.MultipleChoiceField(
        choices=[(s, s) for s in sorted(SCOPES)], widget=forms.CheckboxSelectMultiple
    )
    livemode = forms.BooleanField(required=False, initial=True, label="Live key (uncheck for a test key)")
    once = forms.CharField(widget=forms.HiddenInput, required=False)
    request = None  # the admin's request (ApiKeyAdmin.get_form): the session holds the open forms

    class Meta:
        model = ApiKey
        fields = ["entity", "name", "scopes", "livemode"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound and self.request is not None:
            self.initial["once"] = open_form(self.request)

    def clean(self):
        cleaned = super().clean()
        if self.request is not None and not form_is_open(self.request, cleaned.get("once", "")):
            raise forms.ValidationError(ALREADY_SENT, code="form_already_sent")
        return cleaned


@admin.register(ApiKey)
class ApiKeyAdmin(ServiceAdmin):
    form = ApiKeyCreateForm
    # Keys open an entity's books to programs: creating and revoking them is an entity admin's.
    write_role = Role.ADMIN
    list_display = [
        "prefix",
        "name",
        "entity",
        "scope_list",
        "livemode",
        "status",
        "last_used_at",
        "created_at",
    ]
    list_filter = ["entity", "livemode", ("revoked_at", admin.EmptyFieldListFilter)]
    search_fields = ["prefix", "name", "entity__code"]
    actions = ["revoke_selected"]

    def get_readonly_fields(self, request, obj=None):
        return VIEW_FIELDS if obj else []

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        if db_field.name == "entity":
            # A key is created for a live entity; a test key goes to its test books (erp/services/modes.py).
            live = Entity.objects.filter(livemode=True).order_by("name")
            kwargs["queryset"] = restrict(live, request.user, "", self.write_role)
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def get_fields(self, request, obj=None):
        return VIEW_FIELDS if obj else [*ApiKeyCreateForm.Meta.fields, "once"]

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        return form if obj is not None else type(form.__name__, (form,), {"request": request})

    def service_save(self, request, form, formsets, change):
        data = form.cleaned_data
        api_key, token = api_key_create(
            entity=data["entity"], scopes=data["scopes"], name=data["name"], livemode=data["livemode"]
        )
        close_form(request, data["once"])  # after the key exists: a refused form can be sent again
        setattr(request, _NEW_TOKEN, token)
        return api_key

    def response_add(self, request, obj, post_url_continue=None):
        # The only time the token is ever shown: in the answer to the POST that created it, never
        # in a message (messages travel in a signed, readable cookie) and never cached.
        api_key = saved_object(request)
        response = render_page(
            self,
            request,
            "admin/erp/apikey/token.html",
            title="Copy the new API key",
            original=api_key,
            api_key=api_key,
            token=getattr(request, _NEW_TOKEN),
        )
        add_never_cache_headers(response)
        return response

    @admin.display(description="scopes")
    def scope_list(self, obj):
        return ", ".join(obj.scopes)

    @admin.display(description="status")
    def status(self, obj):
        return "revoked" if obj.revoked_at else "active"

    def has_revoke_permission(self, request) -> bool:
        """Revoking needs the change permission on API keys (their change page stays read-only) and the
        admin role on the key's entity (only such keys reach the action: docs/access.md)."""
        return request.user.has_perm("erp.change_apikey") and self.entity_access(
            request, None, self.write_role
        )

    @admin.action(description="Revoke selected API keys", permissions=["revoke"])
    def revoke_selected(self, request, queryset):
        actor = actor_of(request)
        revoked = 0
        for api_key in queryset.filter(revoked_at__isnull=True).order_by("pk"):
            api_key = api_key_revoke(api_key=api_key, revoked_by=actor)
            self.log_change(request, api_key, f"Revoked by {actor}.")
            revoked += 1
        self.message_user(request, f"Revoked {revoked} key(s).", messages.SUCCESS)

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return False
