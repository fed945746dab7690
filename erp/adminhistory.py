"""The "History" of a Folio object in the admin: its activity log rows, above Django's own entries.

Django's history page lists what the admin itself logged (LogEntry): nothing written through the API or a
command, and no reason. Every Folio model admin (erp.adminkit's ServiceAdmin and ReadOnlyAdmin) shows the
object's activity instead (docs/activity.md), with who, through which channel, what changed and why.
"""

from django.contrib.admin.utils import unquote

from erp.selectors import activity_of_object

# A page shows the newest rows; the whole history is the activity list filtered by the object.
HISTORY_ROWS = 200


class ActivityHistoryMixin:
    """Adds the object's activity log rows to its admin "History" page."""

    object_history_template = "admin/folio/object_history.html"

    def history_view(self, request, object_id, extra_context=None):
        # One query: a row past the page says there is more.
        rows = list(activity_of_object(model=self.model, object_id=unquote(object_id))[: HISTORY_ROWS + 1])
        context = {
            "activity_list": rows[:HISTORY_ROWS],
            "activity_more": len(rows) > HISTORY_ROWS,
            **(extra_context or {}),
        }
        return super().history_view(request, object_id, context)
