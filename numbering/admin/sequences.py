"""Sequences: created and edited through the services, with live preview, advance counter and audit pages."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.html import format_html

from erp.adminkit import PagesMixin, ReadOnlyInline, ServiceAdmin, ServiceForm, actor_of, render_page
from erp.exceptions import Conflict, FolioError
from erp.models import Entity
from numbering import selectors
from numbering.audit import sequence_audit
from numbering.models import CounterEvent, NumberingPeriod, Sequence
from numbering.rendering import render
from numbering.services import counter_advance, sequence_create, sequence_delete, sequence_update
from numbering.services.configuration import SETTABLE_FIELDS as LAYOUT_FIELDS

PREVIEW_COUNT = 3
STALE_FORM = (
    "Someone else changed this sequence since you opened it; reload the page and make your change again."
)


class SequenceForm(ServiceForm, forms.ModelForm):
    """Create or edit a sequence through sequence_create / sequence_update."""

    # The version the accountant opened: the admin reloads the row on POST, so only the form
    # itself can tell the service which version the edit was based on.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Sequence
        fields = ["entity", *LAYOUT_FIELDS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.instance._state.adding:
            self.fields["loaded_version"].initial = self.instance.version

    def clean(self):
        cleaned_data = super().clean()
        # Without the version it was opened at, an edit could silently overwrite someone else's.
        if not self.instance._state.adding and cleaned_data.get("loaded_version") is None:
            raise forms.ValidationError(
                "This form does not say which version of the sequence it was opened at; reload the page."
            )
        return cleaned_data

    def validate_constraints(self, exclude=None):
        # The service validates with precise messages (and the database enforces); skip the
        # model-level constraint pass that would otherwise pre-empt those messages.
        return None

    def layout(self) -> dict:
        """Return the layout fields as the services take them."""
        data = {name: self.cleaned_data[name] for name in LAYOUT_FIELDS if name in self.cleaned_data}
        data["counter_type"] = data.get("counter_type") or None
        return data


class PeriodInline(ReadOnlyInline):
    model = NumberingPeriod
    fields = readonly_fields = ["label", "start", "end", "start_value", "last_value"]
    verbose_name_plural = "numbering periods (counters)"


class CounterEventInline(ReadOnlyInline):
    model = CounterEvent
    fields = readonly_fields = [
        "created_at",
        "kind",
        "period",
        "value_before",
        "value_after",
        "reason",
        "actor",
    ]


class AdvanceCounterForm(ServiceForm, forms.Form):
    date = forms.DateField(
        initial=timezone.localdate,
        help_text="A date in the period whose counter moves.",
        widget=forms.DateInput(attrs={"type": "date"}),
    )
    advance_to = forms.IntegerField(
        min_value=0, help_text="The new last-used value; the next number is one more."
    )
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


@admin.register(Sequence)
class SequenceAdmin(PagesMixin, ServiceAdmin):
    form = SequenceForm
    list_display = [
        "name",
        "entity",
        "counter_type",
        "status",
        "effective_format",
        "reset",
        "remaining",
        "version",
    ]
    list_filter = ["entity", "status", "type", "reset", "counter_type"]
    search_fields = ["name", "print_title", "counter_type"]
    readonly_fields = ["version", "created_at", "updated_at"]
    inlines = [PeriodInline, CounterEventInline]
    change_form_template = "admin/numbering/sequence/change_form.html"
    pages = [
        ("preview/", "preview_view", "preview"),
        ("<uuid:pk>/advance/", "advance_view", "advance"),
        ("<uuid:pk>/audit/", "audit_view", "audit"),
    ]
    fieldsets = [
        (None, {"fields": ["entity", "name", "print_title", "counter_type", "status", "type"]}),
        (
            "Layout",
            {
                "fields": [
                    "format",
                    ("fixed_prefix", "prefix_separator"),
                    "fixed_length",
                    ("fixed_suffix", "suffix_separator"),
                    ("fiscal_year_affix", "fiscal_year_separator"),
                ],
                "description": "Either a format string ({yyyy} {yy} {MM} {dd} {fy} {iN} {n}) "
                "or the structured fields below it; a format string wins.",
            },
        ),
        (
            "Range",
            {
                "fields": [
                    ("starting_number", "ending_number"),
                    ("starting_sequence", "ending_sequence"),
                    "warning_threshold",
                ]
            },
        ),
        ("Reset", {"fields": ["reset", ("period_unit", "period_amount"), "rollover_enabled_date"]}),
        ("Record", {"fields": ["version", "created_at", "updated_at", "loaded_version"]}),
    ]

    @admin.display(description="remaining")
    def remaining(self, sequence):
        """Numbers left in the current period, marked when at or below the warning threshold."""
        if sequence.ending_number is None:
            return "unbounded"
        left = _remaining_today(sequence)
        if _running_low(sequence, left):
            return format_html(
                '<strong class="remaining-low" title="At or below the warning threshold ({})">⚠ {}</strong>',
                sequence.warning_threshold,
                left,
            )
        return left

    def render_change_form(self, request, context, add=False, change=False, form_url="", obj=None):
        if obj is not None:
            left = _remaining_today(obj)
            if _running_low(obj, left):
                messages.warning(
                    request,
                    f"Only {left} number(s) left in the current period "
                    f"(warning threshold {obj.warning_threshold}): extend the range or plan a new sequence.",
                )
        return super().render_change_form(request, context, add, change, form_url, obj)

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "entity"] if obj else self.readonly_fields

    def service_save(self, request, form, formsets, change):
        layout = form.layout()
        if not change:
            return sequence_create(entity=form.cleaned_data["entity"], **layout)
        changed = {name: layout[name] for name in form.changed_data if name in layout}
        try:
            return sequence_update(
                sequence=form.instance,
                expected_version=form.cleaned_data["loaded_version"],
                actor=actor_of(request),
                **changed,
            )
        except Conflict as error:
            if error.code != "version_mismatch":
                raise
            raise Conflict(STALE_FORM, code=error.code) from error

    def has_delete_permission(self, request, obj=None):
        # A sequence that issued numbers must never disappear; deactivate it instead.
        return (
            obj is not None
            and not obj.issued_numbers.exists()
            and super().has_delete_permission(request, obj)
        )

    def delete_model(self, request, obj):
        sequence_delete(sequence=obj)

    def delete_view(self, request, object_id, extra_context=None):
        # The service re-checks under the sequence's lock: a number issued since the page was
        # opened, or a sequence busy past the lock timeout, is a refusal to show, not a 500.
        try:
            return super().delete_view(request, object_id, extra_context)
        except FolioError as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
            return redirect(reverse("admin:numbering_sequence_change", args=[object_id]))

    def preview_view(self, request):
        """JSON: the next numbers for a date, from the layout as currently typed (nothing reserved)."""
        if not self.has_view_permission(request):
            raise PermissionDenied
        try:
            draft = _draft_from_query(request.GET)
            on = datetime.date.fromisoformat(request.GET.get("date") or timezone.localdate().isoformat())
            preview = selectors.sequence_preview(sequence=draft, date=on)
            fiscal_start = draft.entity.fiscal_year_start_month
            numbers = [preview["number"]] + [
                render(
                    draft.effective_format,
                    value=preview["value"] + step,
                    on=on,
                    fiscal_year_start_month=fiscal_start,
                    alpha=draft.is_alpha,
                )
                for step in range(1, PREVIEW_COUNT)
            ]
        except (FolioError, ValueError, TypeError, forms.ValidationError) as error:
            return JsonResponse({"ok": False, "error": getattr(error, "message", str(error))})
        return JsonResponse({"ok": True, "period_label": preview["period_label"], "numbers": numbers})

    def advance_view(self, request, pk):
        """Advance a period's counter with a required reason (monotonic; the skip is recorded)."""
        sequence = get_object_or_404(Sequence, pk=pk)
        if not self.has_change_permission(request, sequence):
            raise PermissionDenied
        form = AdvanceCounterForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                event = counter_advance(
                    sequence=sequence,
                    advance_to=form.cleaned_data["advance_to"],
                    reason=form.cleaned_data["reason"],
                    actor=actor_of(request),
                    date=form.cleaned_data["date"],
                )
            except FolioError as error:
                form.show_refusal(error)
            else:
                if event is None:
                    messages.info(request, "The counter is already at or past that value: nothing changed.")
                else:
                    messages.success(
                        request,
                        f"Counter advanced from {event.value_before} to {event.value_after}; "
                        "the skip is recorded.",
                    )
                return redirect(reverse("admin:numbering_sequence_change", args=[sequence.pk]))
        return render_page(
            self,
            request,
            "admin/numbering/sequence/advance.html",
            title="Advance counter",
            original=sequence,
            form=form,
            form_id="advance-form",
            submit_label="Advance counter",
        )

    def audit_view(self, request, pk):
        """The gap report of one sequence: every value issued, voided or skipped by a recorded event."""
        sequence = get_object_or_404(Sequence, pk=pk)
        if not self.has_view_permission(request, sequence):
            raise PermissionDenied
        return render_page(
            self,
            request,
            "admin/numbering/sequence/audit.html",
            title="Audit",
            original=sequence,
            report=sequence_audit(sequence=sequence),
        )


def _remaining_today(sequence: Sequence) -> int | None:
    """Return the numbers left in today's period (None when unbounded or no period holds today)."""
    try:
        return selectors.sequence_remaining(sequence=sequence)
    except FolioError:  # numbering by period starts later: there is no current period to run out
        return None


def _running_low(sequence: Sequence, left: int | None) -> bool:
    """Tell whether a bounded sequence is at or below its warning threshold."""
    return left is not None and sequence.warning_threshold is not None and left <= sequence.warning_threshold


def _draft_from_query(query) -> Sequence:
    """Build an unsaved sequence from the change form's current values (for the live preview)."""
    existing = Sequence.objects.filter(pk=query.get("id")).first() if query.get("id") else None
    draft = Sequence(pk=existing.pk) if existing else Sequence()
    entity = existing.entity if existing else Entity.objects.filter(pk=query.get("entity") or None).first()
    if entity is None:
        raise ValueError("Choose an entity to preview its numbers.")
    draft.entity = entity
    form = SequenceForm(query, instance=draft)
    for name in LAYOUT_FIELDS:
        field = form.fields[name]
        raw = form[name].value()
        if raw in (None, ""):
            value = (
                field.initial if field.initial is not None else Sequence._meta.get_field(name).get_default()
            )
        else:
            value = field.clean(raw)
        setattr(draft, name, value)
    return draft
