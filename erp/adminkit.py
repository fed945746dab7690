"""The admin kit every app uses: one way for an admin page to write through a service.

How an admin page writes, in every app:

1. Forms only validate. A form's ``clean()`` checks what the form can know by itself and never
   calls a service.
2. The service is called once, after Django has validated the form and every inline formset:
   from :meth:`ServiceAdmin.save_related` on add and change pages (the one hook that receives the
   form and the formsets, e.g. an invoice's lines), from the view after ``form.is_valid()`` on the
   accountant's own pages, once per row in an action. ``save_form`` and ``save_model`` write
   nothing, and the formsets are never saved: the service wrote the lines.
3. What the service returns is the saved object: it is kept on the request (:func:`saved_object`)
   and is what the admin logs and redirects to. The admin's unsaved instance is left as it is.
4. Who acts is named one way, by :func:`actor_of`.
5. A refusal (an ``erp.exceptions.FolioError``) leaves nothing written: the service is atomic, and
   on a model page it leaves Django's change-view transaction as an exception (:class:`Refused`),
   so no history entry is written either. ``add_view``/``change_view`` then answer the same POST
   once more with the refusal recorded on the request; this time the form's own validation
   reports it next to the field it names (:meth:`ServiceForm.show_refusal`), so the page comes
   back with the error and everything typed, and no save is reached. An accountant's page shows
   the refusal on its form directly; an action shows it as a message.

This relies only on what Django documents: ``save_model`` then ``save_related`` run once the form
and formsets are valid, a form's errors are rendered, and a view can be called again. Nothing
depends on the order of the steps inside Django's change view, and none of it is copied here.
"""

from dataclasses import dataclass, field

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import quote, unquote
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.text import capfirst

from erp.adminaccess import EntityAccessMixin
from erp.adminerrors import plain_message
from erp.adminhistory import ActivityHistoryMixin
from erp.adminlists import CsvExportMixin
from erp.exceptions import FolioError

_REFUSAL = "_folio_admin_refusal"
_SAVED = "_folio_admin_saved"


def actor_of(request) -> str:
    """Name the admin user for ledgers, counter events and history."""
    return f"user:{request.user.get_username()}"


class Refused(Exception):
    """A service refused the write a model page asked for (carries the domain error)."""

    def __init__(self, error: FolioError):
        super().__init__(error.message)
        self.error = error


def refusal_of(request) -> FolioError | None:
    """Return the refusal recorded for this request's second answer, if any."""
    return getattr(request, _REFUSAL, None)


def saved_object(request):
    """Return the object the service saved for this request."""
    return getattr(request, _SAVED)


class ServiceForm:
    """Mixin for a form a service call follows: the service's refusal is shown on the field it names.

    `params` maps a service parameter to the form field that carries it, where the names differ.
    """

    params: dict[str, str] = {}
    refusal: FolioError | None = None

    def full_clean(self):
        super().full_clean()
        if self.refusal is not None and self.is_bound:
            self.show_refusal(self.refusal)

    def show_refusal(self, error: FolioError) -> None:
        """Add the service's error in plain words to the field it names (`x[2]` names `x`), or to the form."""
        param = error.param or ""
        head = param.partition("[")[0]
        name = self.params.get(param) or self.params.get(head, head)
        if name in self.fields:
            label = capfirst(self.fields[name].label or name.replace("_", " "))
            self.add_error(name, plain_message(error, label=label))
        else:
            self.add_error(None, plain_message(error))


class ServiceAdmin(EntityAccessMixin, ActivityHistoryMixin, CsvExportMixin, admin.ModelAdmin):
    """A model admin whose add and change pages write through one service call (see the module docstring).

    Its form is a :class:`ServiceForm`; subclasses implement :meth:`service_save`.
    """

    def service_save(self, request, form, formsets, change: bool):
        """Write the page through the service and return the saved object."""
        raise NotImplementedError

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if request.method == "POST" and not issubclass(form, ServiceForm):
            # Only a ServiceForm shows a refusal on the second answer; any other form would save again.
            raise TypeError(f"{type(self).__name__}.form must be a ServiceForm, not {form.__name__}.")
        refusal = refusal_of(request)
        return type(form.__name__, (form,), {"refusal": refusal}) if refusal else form

    def save_model(self, request, obj, form, change):
        """Write nothing: the service runs in save_related, which also receives the formsets."""

    def save_related(self, request, form, formsets, change):
        if refusal_of(request) is not None:
            # A refused page is answered with its error, never saved: calling the service twice is a bug.
            raise RuntimeError("A refused admin form reached save.")
        try:
            saved = self.service_save(request, form, formsets, change)
        except FolioError as error:
            raise Refused(error) from error
        setattr(request, _SAVED, saved)

    def construct_change_message(self, request, form, formsets, add=False):
        # The service wrote any lines, not the formsets (never saved): history lists the form's changes.
        return super().construct_change_message(request, form, [], add)

    def log_addition(self, request, obj, message):
        return super().log_addition(request, saved_object(request), message)

    def log_change(self, request, obj, message):
        # A page logs what its service saved; an action logs each row its service returned.
        return super().log_change(request, getattr(request, _SAVED, obj), message)

    def response_add(self, request, obj, post_url_continue=None):
        return super().response_add(request, saved_object(request), post_url_continue)

    def response_change(self, request, obj):
        return super().response_change(request, saved_object(request))

    def add_view(self, request, form_url="", extra_context=None):
        return _answer_refusal(super().add_view, request, form_url, extra_context)

    def change_view(self, request, object_id, form_url="", extra_context=None):
        return _answer_refusal(super().change_view, request, object_id, form_url, extra_context)


def _answer_refusal(view, request, *args):
    """Run an add or change view; after a refusal, answer the same POST again with the refusal shown."""
    try:
        return view(request, *args)
    except Refused as refused:
        setattr(request, _REFUSAL, refused.error)
        return view(request, *args)


class ReadOnlyAdmin(EntityAccessMixin, ActivityHistoryMixin, CsvExportMixin, admin.ModelAdmin):
    """Rows written only by services elsewhere: listed and shown, never added, edited or deleted here."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ReadOnlyInline(admin.TabularInline):
    """Related rows shown on a page, never added, edited or deleted from it."""

    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class PagesMixin:
    """Adds a model admin's own pages: `pages` lists (route, view method name, URL name suffix).

    A page's URL is named ``admin:<app>_<model>_<suffix>``; its view renders with :func:`render_page`.
    `list_links` puts buttons to pages on the list: (suffix, label, element id, the permission
    needed: "add" or "view"), shown to those who hold it.
    """

    pages: list[tuple[str, str, str]] = []
    list_links: list[tuple[str, str, str, str]] = []
    change_list_template = "admin/folio/change_list.html"

    def changelist_view(self, request, extra_context=None):
        opts = self.model._meta
        links = [
            {
                "url": reverse(f"admin:{opts.app_label}_{opts.model_name}_{suffix}"),
                "label": label,
                "id": element_id,
                "css": "addlink" if permission == "add" else "viewlink",
            }
            for suffix, label, element_id, permission in self.list_links
            if request.user.has_perm(f"{opts.app_label}.{permission}_{opts.model_name}")
        ]
        return super().changelist_view(request, {**(extra_context or {}), "page_links": links})

    def get_urls(self):
        opts = self.model._meta
        own = [
            path(
                route,
                self.admin_site.admin_view(getattr(self, view)),
                name=f"{opts.app_label}_{opts.model_name}_{suffix}",
            )
            for route, view, suffix in self.pages
        ]
        return own + super().get_urls()


def render_page(modeladmin, request, template: str, *, title: str, original=None, **context):
    """Render one of the accountant's own pages under `modeladmin` (see admin/folio/page.html)."""
    return TemplateResponse(
        request,
        template,
        {
            **modeladmin.admin_site.each_context(request),
            "opts": modeladmin.model._meta,
            "title": title,
            "original": original,
            **context,
        },
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        label="Reason",
        help_text="Auditors read it in the record and the activity log.",
        error_messages={"required": "Give the reason for the void."},
    )


@dataclass(frozen=True)
class ReversalLine:
    """One line of the entry a void will post: the original line with debit and credit swapped."""

    account: str
    debit: str
    credit: str


@dataclass
class VoidPreview:
    """What voiding one row will do, shown on the confirmation page before anything is written.

    `blocked` says why the service will refuse the row (it is listed, and the others still voided).
    """

    row: object
    amount: str = ""
    blocked: str = ""
    reversal_title: str = ""
    reversal: list[ReversalLine] = field(default_factory=list)
    undone_title: str = ""
    undone: list[tuple[str, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


VOID_STATUSES = frozenset({"void", "voided"})


class VoidWithReasonMixin:
    """Every void, from the list ("Void selected") or the row's page ("Void…"), on one confirmation page.

    The page shows, per row, what the void will reverse (:meth:`void_preview`: the amount, the lines
    of the reversing entry, the applications undone), asks for the reason, and voids each row
    through :meth:`void_row` once it is given. Nothing is voided without that page.

    It is offered to, and runs for, only those who hold the model's change permission
    (:meth:`has_void_permission`): a view-only user sees neither the action nor the button and
    cannot post either. A row the service refuses is reported and the others are still voided.
    """

    void_notice = "Voided rows stay on record."
    actions = ["void_selected"]

    def void_row(self, row, *, reason: str, voided_by: str) -> None:
        """Void one row through its service."""
        raise NotImplementedError

    def void_preview(self, row) -> VoidPreview:
        """Return what voiding `row` will do; a subclass adds its amounts, entry and applications."""
        status = getattr(row, "status", "")
        return VoidPreview(row=row, blocked="It is already void." if status in VOID_STATUSES else "")

    def has_void_permission(self, request, obj=None) -> bool:
        """Voiding needs the model's change permission (the admin's own change pages stay read-only)
        and the role that writes the row's entity (docs/access.md)."""
        opts = self.model._meta
        return request.user.has_perm(f"{opts.app_label}.change_{opts.model_name}") and self.entity_access(
            request, obj, self.write_role
        )

    def get_urls(self):
        opts = self.model._meta
        void = path(
            "<path:object_id>/void/",
            self.admin_site.admin_view(self.void_view),
            name=f"{opts.app_label}_{opts.model_name}_void",
        )
        return [void, *super().get_urls()]

    def change_view(self, request, object_id, form_url="", extra_context=None):
        row = self.get_object(request, unquote(object_id)) if self.has_void_permission(request) else None
        if row is not None and self.has_void_permission(request, row) and not self.void_preview(row).blocked:
            opts = self.model._meta
            link = {
                "url": reverse(f"admin:{opts.app_label}_{opts.model_name}_void", args=[quote(row.pk)]),
                "label": "Void…",
                "id": "void-link",
                "css": "deletelink",
            }
            extra_context = extra_context or {}
            extra_context = {**extra_context, "object_links": [*extra_context.get("object_links", []), link]}
        return super().change_view(request, object_id, form_url, extra_context)

    @admin.action(
        description="Void selected %(verbose_name_plural)s (asks for a reason)", permissions=["void"]
    )
    def void_selected(self, request, queryset):
        return self._void_page(request, list(queryset.order_by("pk")), single=False)

    def void_view(self, request, object_id):
        """Void one row from its own page, after the same confirmation as the list's action."""
        if not self.has_void_permission(request):
            raise PermissionDenied
        row = self.get_object(request, unquote(object_id))
        if row is None:
            raise Http404(f"No {self.model._meta.verbose_name} with this id.")
        if not self.has_void_permission(request, row):
            raise PermissionDenied
        response = self._void_page(request, [row], single=True)
        opts = self.model._meta
        return response or redirect(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[quote(row.pk)])
        )

    def _void_page(self, request, rows: list, *, single: bool):
        """Show what the void of `rows` reverses and ask why; once a reason is given, void them."""
        opts = self.model._meta
        form = ReasonForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            self._void_rows(request, rows, reason=form.cleaned_data["reason"])
            return None
        previews = [self.void_preview(row) for row in rows]
        noun = opts.verbose_name if len(rows) == 1 else opts.verbose_name_plural
        back = reverse(
            f"admin:{opts.app_label}_{opts.model_name}_change"
            if single
            else f"admin:{opts.app_label}_{opts.model_name}_changelist",
            args=[quote(rows[0].pk)] if single else None,
        )
        return render_page(
            self,
            request,
            "admin/folio/void.html",
            title=f"Void {rows[0]}" if len(rows) == 1 else f"Void {len(rows)} {noun}",
            original=rows[0] if single else None,
            form_id="void-form",
            submit_label=f"Void {noun}",
            form=form,
            previews=previews,
            voidable=sum(1 for preview in previews if not preview.blocked),
            notice=self.void_notice,
            back_url=back,
            action_checkbox_name=None if single else admin.helpers.ACTION_CHECKBOX_NAME,
        )

    def _void_rows(self, request, rows: list, *, reason: str) -> None:
        opts = self.model._meta
        voided = 0
        for row in rows:
            try:
                self.void_row(row, reason=reason, voided_by=actor_of(request))
            except FolioError as error:
                self.message_user(request, f"{row}: {error.message}", messages.ERROR)
            else:
                voided += 1
        if voided:
            noun = opts.verbose_name if len(rows) == 1 else opts.verbose_name_plural
            self.message_user(request, f"Voided {voided} of {len(rows)} {noun}.", messages.SUCCESS)
