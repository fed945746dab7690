"""The activity log in the admin: read-only, only the entities the user works on (erp/adminaccess.py)."""

from functools import cache

from django.apps import apps
from django.contrib import admin
from django.contrib.admin.utils import quote
from django.urls import NoReverseMatch, reverse
from django.utils.html import format_html

from erp.adminkit import ReadOnlyAdmin
from erp.models import Activity
from erp.models.activity import object_type_of


@cache
def _models_by_type() -> dict:
    return {object_type_of(model): model for model in apps.get_models()}


@admin.register(Activity)
class ActivityAdmin(ReadOnlyAdmin):
    """Every write through the API, the admin and the commands: who, what, when, why (docs/activity.md)."""

    list_display = ["occurred_at", "entity", "action", "subject", "actor", "channel", "reason"]
    list_filter = [
        "channel",
        "actor_type",
        "object_type",
        "entity",
        ("occurred_at", admin.DateFieldListFilter),
    ]
    search_fields = ["action", "object_id", "actor_name", "request_id", "reason"]
    date_hierarchy = "occurred_at"
    list_select_related = ["entity"]
    fields = readonly_fields = [
        "occurred_at",
        "entity",
        "actor_type",
        "actor_id",
        "actor_name",
        "channel",
        "action",
        "subject",
        "request_id",
        "reason",
        "changes_text",
        "seq",
        "chain_hash",
    ]

    @admin.display(description="Object", ordering="object_type")
    def subject(self, row):
        model = _models_by_type().get(row.object_type)
        text = f"{row.object_type} {row.object_id}"
        if model is None:
            return text
        try:
            url = reverse(
                f"admin:{model._meta.app_label}_{model._meta.model_name}_change", args=[quote(row.object_id)]
            )
        except NoReverseMatch:
            return text
        return format_html('<a href="{}">{}</a>', url, text)

    @admin.display(description="Actor", ordering="actor_name")
    def actor(self, row):
        return f"{row.actor_name} ({row.get_actor_type_display().lower()})"

    @admin.display(description="Changes")
    def changes_text(self, row):
        return "; ".join(f"{field}: {pair[0]} → {pair[1]}" for field, pair in row.changes.items()) or "—"
