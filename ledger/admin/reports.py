"""The accountant's report pages, under Ledger › Accounts: trial balance, AR and AP aging with a
drill-down to a party's open documents, customer statements (printable); each downloads as CSV.

Every page offers only the entities the user may read (ledger.reports.access.report_entities): an
entity, party or document of another entity is a 404, never shown.
"""

import datetime

from django import forms
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode

from erp.adminkit import render_page
from erp.models import Entity
from ledger import selectors
from ledger.reports.access import report_entities
from ledger.reports.aging import BUCKETS, aging_report, bucket_of
from ledger.reports.export import aging_csv, statement_csv, trial_balance_csv
from ledger.reports.statement import statement
from ledger.reports.subledgers import PAYABLE, RECEIVABLE, subledger

DATE_INPUT = forms.DateInput(attrs={"type": "date"})


class EntityForm(forms.Form):
    """A report's entity, among those the user may read; the only one preselected."""

    entity = forms.ModelChoiceField(queryset=Entity.objects.none())

    def __init__(self, data=None, *, user, **kwargs):
        entities = report_entities(user)
        live = entities.filter(livemode=True)
        if not (data or {}).get("entity") and live.count() == 1:
            # One company's books: show its report at once instead of asking which.
            data = data.copy() if data is not None else {}
            data["entity"] = str(live.get().pk)
        super().__init__(data, **kwargs)
        self.fields["entity"].queryset = entities


class TrialBalanceForm(EntityForm):
    as_of = forms.DateField(
        required=False, help_text="Entries dated up to this day; empty for all.", widget=DATE_INPUT
    )


class AsOfForm(EntityForm):
    as_of = forms.DateField(required=False, help_text="Empty: today.", widget=DATE_INPUT)

    def report_date(self) -> datetime.date:
        """Return the chosen date, today when left empty."""
        return self.cleaned_data.get("as_of") or timezone.localdate()


class PartyForm(AsOfForm):
    """The drill-down's party, of the chosen entity (checked by the page)."""

    party = forms.UUIDField()


class StatementForm(forms.Form):
    customer = forms.ModelChoiceField(queryset=None)
    date_from = forms.DateField(
        label="From", required=False, help_text="Empty: the 1st of the month.", widget=DATE_INPUT
    )
    date_to = forms.DateField(label="To", required=False, help_text="Empty: today.", widget=DATE_INPUT)

    def __init__(self, data=None, *, user, **kwargs):
        super().__init__(data, **kwargs)
        customers = subledger(RECEIVABLE).party_model.objects.filter(entity__in=report_entities(user))
        self.fields["customer"].queryset = customers.select_related("entity").order_by("name")

    def clean(self):
        data = super().clean()
        data["date_to"] = data.get("date_to") or timezone.localdate()
        data["date_from"] = data.get("date_from") or data["date_to"].replace(day=1)
        if data["date_from"] > data["date_to"]:
            self.add_error("date_from", "The period must start on or before its last day.")
        return data


def _query(request, **changes) -> str:
    """Return the page's query string with `changes` (e.g. format=csv)."""
    query = request.GET.copy()
    for key, value in changes.items():
        query[key] = value
    return query.urlencode()


class ReportPagesMixin:
    """The report pages of the accounts admin (see the module docstring); they need the view permission."""

    report_pages = [
        ("trial-balance/", "trial_balance_view", "trial_balance"),
        ("ar-aging/", "ar_aging_view", "ar_aging"),
        ("ap-aging/", "ap_aging_view", "ap_aging"),
        ("ar-aging/party/", "ar_party_view", "ar_aging_party"),
        ("ap-aging/party/", "ap_party_view", "ap_aging_party"),
        ("statement/", "statement_view", "statement"),
    ]
    report_links = [
        ("trial_balance", "Trial balance", "trial-balance-link", "view"),
        ("ar_aging", "AR aging", "ar-aging-link", "view"),
        ("ap_aging", "AP aging", "ap-aging-link", "view"),
        ("statement", "Customer statement", "statement-link", "view"),
    ]

    def _check(self, request) -> None:
        if not self.has_view_permission(request):
            raise PermissionDenied

    def trial_balance_view(self, request):
        """Every account's net balance for one entity, with the column totals."""
        self._check(request)
        form = TrialBalanceForm(request.GET or None, user=request.user)
        report = None
        if form.is_bound and form.is_valid():
            report = selectors.trial_balance(
                entity=form.cleaned_data["entity"], as_of=form.cleaned_data["as_of"]
            )
            if request.GET.get("format") == "csv":
                return trial_balance_csv(report)
        return render_page(
            self,
            request,
            "admin/ledger/account/trial_balance.html",
            title="Trial balance",
            form=form,
            report=report,
            csv_query=_query(request, format="csv"),
            form_id="trial-balance-form",
            form_method="get",
            submit_label="Show",
        )

    def ar_aging_view(self, request):
        """What customers owe as of a date, by days past due."""
        return self._aging(request, RECEIVABLE)

    def ap_aging_view(self, request):
        """What is owed to vendors as of a date, by days past due."""
        return self._aging(request, PAYABLE)

    def ar_party_view(self, request):
        """One customer's open invoices as of a date."""
        return self._party(request, RECEIVABLE)

    def ap_party_view(self, request):
        """One vendor's open bills as of a date."""
        return self._party(request, PAYABLE)

    def _aging(self, request, kind: str):
        self._check(request)
        source = subledger(kind)
        form = AsOfForm(request.GET or None, user=request.user)
        report = None
        if form.is_bound and form.is_valid():
            report = aging_report(source, entity=form.cleaned_data["entity"], as_of=form.report_date())
            if request.GET.get("format") == "csv":
                return aging_csv(report)
        prefix = "AR" if kind == RECEIVABLE else "AP"
        rows = []
        if report is not None:
            party_url = reverse(f"admin:ledger_account_{prefix.lower()}_aging_party")
            rows = [
                {
                    "line": row,
                    "url": party_url
                    + "?"
                    + urlencode(
                        {"entity": report.entity.pk, "as_of": report.as_of.isoformat(), "party": row.party_id}
                    ),
                }
                for row in report.rows
            ]
        return render_page(
            self,
            request,
            "admin/ledger/account/aging.html",
            title=f"{prefix} aging",
            form=form,
            report=report,
            rows=rows,
            buckets=BUCKETS,
            csv_query=_query(request, format="csv"),
            form_id=f"{prefix.lower()}-aging-form",
            form_method="get",
            submit_label="Show",
        )

    def _party(self, request, kind: str):
        self._check(request)
        source = subledger(kind)
        prefix = "AR" if kind == RECEIVABLE else "AP"
        aging_url = reverse(f"admin:ledger_account_{prefix.lower()}_aging")
        form = PartyForm(request.GET or None, user=request.user)
        if not (form.is_bound and form.is_valid()):
            # Reached without a name (a bookmark, a typed address): say where names are chosen.
            return render_page(
                self,
                request,
                "admin/ledger/account/aging_party.html",
                title=f"{prefix} aging: open documents",
                aging_url=aging_url,
                aging_title=f"{prefix} aging",
            )
        entity = form.cleaned_data["entity"]
        party = source.parties(entity=entity).filter(pk=form.cleaned_data["party"]).first()
        if party is None:
            raise Http404(f"No such {source.party_label} of {entity}.")
        report = aging_report(source, entity=entity, as_of=form.report_date(), party_id=party.pk)
        items = [item for row in report.rows for item in row.items]
        document_opts = source.document_model._meta
        labels = {key: label for key, label, _ in BUCKETS}
        statement_url = None
        if kind == RECEIVABLE:
            statement_url = (
                reverse("admin:ledger_account_statement")
                + "?"
                + urlencode({"customer": party.pk, "date_to": report.as_of.isoformat()})
            )
        return render_page(
            self,
            request,
            "admin/ledger/account/aging_party.html",
            title=f"{party.name}: open {document_opts.verbose_name_plural} as of {report.as_of.isoformat()}",
            form=form,
            report=report,
            party=party,
            items=[
                {
                    "item": item,
                    "bucket": labels[bucket_of(item.days_overdue)],
                    "url": reverse(
                        f"admin:{document_opts.app_label}_{document_opts.model_name}_change",
                        args=[item.document.pk],
                    ),
                }
                for item in items
            ],
            aging_url=f"{aging_url}?{urlencode({'entity': entity.pk, 'as_of': report.as_of.isoformat()})}",
            aging_title=f"{prefix} aging",
            statement_url=statement_url,
        )

    def statement_view(self, request):
        """A customer's statement over a period: on screen, printable, or as CSV."""
        self._check(request)
        form = StatementForm(request.GET or None, user=request.user)
        report = None
        if form.is_bound and form.is_valid():
            customer = form.cleaned_data["customer"]
            report = statement(
                subledger(RECEIVABLE),
                entity=customer.entity,
                party=customer,
                date_from=form.cleaned_data["date_from"],
                date_to=form.cleaned_data["date_to"],
            )
            if request.GET.get("format") == "csv":
                return statement_csv(report)
            if request.GET.get("print"):
                return TemplateResponse(
                    request, "ledger/statement_print.html", {"report": report, "buckets": BUCKETS}
                )
        return render_page(
            self,
            request,
            "admin/ledger/account/statement.html",
            title="Customer statement",
            form=form,
            report=report,
            buckets=BUCKETS,
            csv_query=_query(request, format="csv"),
            print_query=_query(request, print="1"),
            form_id="statement-form",
            form_method="get",
            submit_label="Show",
        )
