"""Drafts in the admin: "Save as draft" on a document's add page, a draft's page editable (header and
lines) with "Save and post", "Post selected drafts" on the list, and a draft deleted from its page, each
through the ledger's services (docs/posting.md, "Drafts").

Mixed into a DocumentAdmin before it: ``class InvoiceAdmin(DraftAdminMixin, DocumentAdmin)``. The
subclass names `update_service`, `delete_service` and `post_service` (staticmethods taking the row as
`draft_keyword`). Posted documents stay as DocumentAdmin shows them: read-only, voided with a reason.
"""

from django.contrib import admin, messages

from erp.adminkit import actor_of
from erp.exceptions import FolioError
from ledger.documents.admin import (
    LINE_FIELDS,
    DocumentAdmin,
    DocumentLineInline,
    DocumentLinesFormSet,
    entered_lines,
)
from ledger.documents.models import DocumentStatus
from ledger.documents.services import LineInput

# The submit buttons of templates/admin/folio/draft_submit_line.html.
SAVE_DRAFT = "_save_draft"
POST_DRAFT = "_post_draft"


def _is_draft(obj) -> bool:
    return obj is not None and obj.status == DocumentStatus.DRAFT


class DraftLinesFormSet(DocumentLinesFormSet):
    """A draft's lines as its page holds them: those kept (changed or not) and the new ones typed."""

    def entered(self) -> list:
        return [
            form
            for form in self.forms
            if not self._should_delete_form(form) and (form.instance.pk or form.has_changed())
        ]


class DraftLineInline(DocumentLineInline):
    """A document's lines: typed on the add page and on a draft's page, read-only once posted."""

    formset = DraftLinesFormSet
    can_delete = True

    def get_fields(self, request, obj=None):
        return LINE_FIELDS if obj is None or _is_draft(obj) else super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None or _is_draft(obj) else super().get_readonly_fields(request, obj)

    def get_extra(self, request, obj=None, **kwargs):
        return 1 if _is_draft(obj) else super().get_extra(request, obj, **kwargs)

    def has_add_permission(self, request, obj=None):
        return _is_draft(obj) or super().has_add_permission(request, obj)

    def has_change_permission(self, request, obj=None):
        return _is_draft(obj)

    def has_delete_permission(self, request, obj=None):
        return _is_draft(obj)


class DraftAdminMixin:
    """Drafts saved, edited, posted and deleted from a DocumentAdmin's pages (see the module docstring)."""

    update_service = delete_service = post_service = None
    draft_keyword = ""
    actions = ["void_selected", "post_selected"]

    def service_save(self, request, form, formsets, change):
        if not change:
            return super().service_save(request, form, formsets, change)
        header = {name: form.cleaned_data[name] for name in self.header_fields}
        party = header.pop(self.header_fields[0])
        draft = self.update_service(
            **{self.draft_keyword: form.instance},
            **{f"{self.header_fields[0]}_id": party.pk},
            **header,
            lines=[LineInput(**line) for line in entered_lines(formsets)],
            updated_by=actor_of(request),
        )
        if POST_DRAFT in request.POST:
            return self.post_service(**{self.draft_keyword: draft}, posted_by=actor_of(request))
        return draft

    def create_options(self, request) -> dict:
        # DocumentAdmin's add, saved as a draft when that button was pressed.
        return {"draft": True} if SAVE_DRAFT in request.POST else {}

    def get_form(self, request, obj=None, change=False, **kwargs):
        if _is_draft(obj):
            kwargs["form"] = self.add_form
        return super().get_form(request, obj, change=change, **kwargs)

    def get_fields(self, request, obj=None):
        if _is_draft(obj):
            return [*self.header_fields, "total", "status"]
        return super().get_fields(request, obj)

    def get_readonly_fields(self, request, obj=None):
        if _is_draft(obj):
            return ["total", "status"]
        return super().get_readonly_fields(request, obj)

    def get_inlines(self, request, obj):
        # A draft has lines only: nothing is applied to it, nothing posted.
        return [self.line_inline] if _is_draft(obj) else super().get_inlines(request, obj)

    def has_change_permission(self, request, obj=None):
        if _is_draft(obj):
            # Past DocumentAdmin's "a posted document never changes": a draft does, for those who may write.
            return super(DocumentAdmin, self).has_change_permission(request, obj)
        return super().has_change_permission(request, obj)

    def has_delete_permission(self, request, obj=None):
        return _is_draft(obj) and self.has_change_permission(request, obj)

    def get_deleted_objects(self, objs, request):
        # A draft goes with its lines (the service deletes both): nothing else refers to it.
        return [str(obj) for obj in objs], {}, set(), []

    def delete_model(self, request, obj):
        self.delete_service(**{self.draft_keyword: obj}, deleted_by=actor_of(request))

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        context["draft_buttons"] = add or _is_draft(obj)
        context["draft_is_saved"] = _is_draft(obj)
        return super().render_change_form(request, context, add, change, form_url, obj)

    def response_change(self, request, obj):
        if POST_DRAFT in request.POST:
            self.message_user(request, f"Posted as {obj.number}.", messages.SUCCESS)
        return super().response_change(request, obj)

    @admin.action(description="Post selected drafts (numbers them)", permissions=["change"])
    def post_selected(self, request, queryset):
        posted = 0
        for row in queryset.filter(status=DocumentStatus.DRAFT).order_by("created_at"):
            try:
                self.post_service(**{self.draft_keyword: row}, posted_by=actor_of(request))
            except FolioError as error:
                self.message_user(request, f"{row}: {error.message}", messages.ERROR)
            else:
                posted += 1
        self.message_user(
            request, f"Posted {posted} drafts.", messages.SUCCESS if posted else messages.WARNING
        )
