"""Admin pieces the payables screens share: read-only inlines and the void-with-reason action."""

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse

from erp.adminkit import actor_of
from erp.exceptions import FolioError


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class VoidForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


def void_with_reason(modeladmin, request, queryset, *, service, keyword: str, action: str, permission: str):
    """Ask for a reason, then void each selected document through `service`; report what failed."""
    if not request.user.has_perm(permission):
        raise PermissionDenied
    form = VoidForm(request.POST if "reason" in request.POST else None)
    if form.is_bound and form.is_valid():
        voided = 0
        for document in queryset:
            try:
                service(
                    **{keyword: document}, reason=form.cleaned_data["reason"], voided_by=actor_of(request)
                )
            except FolioError as error:
                modeladmin.message_user(request, f"{document}: {error.message}", messages.ERROR)
            else:
                voided += 1
        if voided:
            modeladmin.message_user(request, f"Voided {voided} document(s).", messages.SUCCESS)
        return None
    context = {
        **modeladmin.admin_site.each_context(request),
        "opts": modeladmin.model._meta,
        "title": f"Void {modeladmin.model._meta.verbose_name_plural}",
        "queryset": queryset,
        "form": form,
        "action": action,
        "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
    }
    return TemplateResponse(request, "admin/payables/void.html", context)


def remap_param(error: FolioError, fields: dict[str, str]) -> FolioError:
    """Point a service error's param at the admin form field that carries it."""
    if error.param in fields:
        error.param = fields[error.param]
    return error
