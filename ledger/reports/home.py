"""`/`: the home dashboard of a signed-in staff user, one panel per entity they may read.

Signed out (or not staff), `/` sends to the admin login and back here after it. The page is the
admin's look (admin/base_site.html) and runs no script: the chart is SVG drawn on the server.
"""

from django.contrib import admin
from django.contrib.auth.views import redirect_to_login
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.views.decorators.http import require_safe

from ledger.reports.access import report_entities
from ledger.reports.chart import aging_chart_svg
from ledger.reports.dashboard import DUE_SOON_DAYS, entity_summary

# Beyond this many entities the page lists the first ones by name and says so (each panel costs
# a few queries: the agings and the numbering audit).
MAX_PANELS = 20


@require_safe
def home(request):
    """Show the dashboard, or send a visitor to the admin login."""
    user = request.user
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return redirect_to_login(request.get_full_path(), login_url=reverse("admin:login"))
    today = timezone.localdate()
    entities = report_entities(user).filter(livemode=True)
    total = entities.count()
    panels = []
    for entity in entities[:MAX_PANELS]:
        summary = entity_summary(entity=entity, today=today)
        query = urlencode({"entity": entity.pk, "as_of": today.isoformat()})
        panels.append(
            {
                "summary": summary,
                "chart": aging_chart_svg(
                    receivables=summary.receivables.totals,
                    payables=summary.payables.totals,
                    currency=entity.base_currency,
                ),
                "ar_url": f"{reverse('admin:ledger_account_ar_aging')}?{query}",
                "ap_url": f"{reverse('admin:ledger_account_ap_aging')}?{query}",
                "trial_balance_url": f"{reverse('admin:ledger_account_trial_balance')}?{query}",
                "sequences_url": reverse("admin:numbering_sequence_changelist")
                + f"?entity__id__exact={entity.pk}",
            }
        )
    return TemplateResponse(
        request,
        "ledger/home.html",
        {
            **admin.site.each_context(request),
            "title": "Home",
            "today": today,
            "panels": panels,
            "hidden": max(0, total - MAX_PANELS),
            "due_soon_days": DUE_SOON_DAYS,
        },
    )
