"""Admin for accountants: sequences (live preview, advance, audit) and the issued-number ledger."""

import datetime

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html

from erp.adminkit import ServiceFormMixin, actor_of, adopt
from erp.exceptions import Conflict, FolioError
from numbering import selectors
from numbering.audit import sequence_audit
from numbering.models import CounterEvent, IssuedNumber, NumberingPeriod, Sequence
from numbering.rendering import render
from numbering.services import counter_advance, issued_number_void, sequence_create, sequence_update

PREVIEW_COUNT = 3
STALE_FORM = (
    "Someone else changed this sequence since you opened it; reload the page and make your change again."
)
LAYOUT_FIELDS = [
    "name",
    "print_title",
    "counter_type",
    "status",
    "type",
    "format",
    "fixed_prefix",
    "prefix_separator",
    "fixed_length",
    "fixed_suffix",
    "suffix_separator",
    "fiscal_year_affix",
    "fiscal_year_separator",
    "starting_number",
    "ending_number",
    "starting_sequence",
    "ending_sequence",
    "reset",
    "period_unit",
    "period_amount",
    "rollover_enabled_date",
    "warning_threshold",
]


class SequenceForm(ServiceFormMixin, forms.ModelForm):
    """Create or edit a sequence through sequence_create / sequence_update."""

    # The version the accountant opened: the admin reloads the row on POST, so only the form
    # itself can tell the service which version the edit was based on.
    loaded_version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = Sequence
        fields = ["entity", *LAYOUT_FIELDS]

    def __init__(self, *args, actor: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.actor = actor
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

    def service_call(self):
        data = {name: self.cleaned_data[name] for name in LAYOUT_FIELDS if name in self.cleaned_data}
        for name in ("counter_type",):
            data[name] = data.get(name) or None
        if self.instance._state.adding:
            return sequence_create(entity=self.cleaned_data["entity"], **data)
        changed = {name: data[name] for name in self.changed_data if name in data}
        try:
            return sequence_update(
                sequence=self.instance,
                expected_version=self.cleaned_data["loaded_version"],
                actor=self.actor,
                **changed,
            )
        except Conflict as error:
            if error.code != "version_mismatch":
                raise
            raise Conflict(STALE_FORM, code=error.code) from error


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


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


class AdvanceCounterForm(forms.Form):
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
class SequenceAdmin(admin.ModelAdmin):
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

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        actor = actor_of(request)

        class BoundActorForm(form):
            def __init__(self, *args, **kw):
                super().__init__(*args, actor=actor, **kw)

        return BoundActorForm

    def get_readonly_fields(self, request, obj=None):
        return [*self.readonly_fields, "entity"] if obj else self.readonly_fields

    def save_model(self, request, obj, form, change):
        adopt(obj, form.result)

    def save_related(self, request, form, formsets, change):
        # The inlines are read-only (no form can change a period or an event); saving them only
        # records "nothing changed" for the admin's history. No m2m fields: no save_m2m().
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def has_delete_permission(self, request, obj=None):
        # A sequence that issued numbers must never disappear; deactivate it instead.
        return (
            obj is not None
            and not obj.issued_numbers.exists()
            and super().has_delete_permission(request, obj)
        )

    def delete_model(self, request, obj):
        from numbering.services import sequence_delete

        sequence_delete(sequence=obj)

    def delete_view(self, request, object_id, extra_context=None):
        # The service re-checks under the sequence's lock: a number issued since the page was
        # opened, or a sequence busy past the lock timeout, is a refusal to show, not a 500.
        try:
            return super().delete_view(request, object_id, extra_context)
        except FolioError as refusal:
            self.message_user(request, refusal.message, messages.ERROR)
            return redirect(reverse("admin:numbering_sequence_change", args=[object_id]))

    def get_urls(self):
        own = [
            path(
                "preview/", self.admin_site.admin_view(self.preview_view), name="numbering_sequence_preview"
            ),
            path(
                "<uuid:pk>/advance/",
                self.admin_site.admin_view(self.advance_view),
                name="numbering_sequence_advance",
            ),
            path(
                "<uuid:pk>/audit/",
                self.admin_site.admin_view(self.audit_view),
                name="numbering_sequence_audit",
            ),
        ]
        return own + super().get_urls()

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
                form.add_error("advance_to" if error.param == "advance_to" else None, error.message)
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
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": sequence,
            "title": f"Advance counter: {sequence.name}",
            "form": form,
        }
        return TemplateResponse(request, "admin/numbering/sequence/advance.html", context)

    def audit_view(self, request, pk):
        """The gap report of one sequence: every value issued, voided or skipped by a recorded event."""
        sequence = get_object_or_404(Sequence, pk=pk)
        if not self.has_view_permission(request, sequence):
            raise PermissionDenied
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "original": sequence,
            "title": f"Numbering audit: {sequence.name}",
            "report": sequence_audit(sequence=sequence),
        }
        return TemplateResponse(request, "admin/numbering/sequence/audit.html", context)


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
    from erp.models import Entity

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


class VoidForm(forms.Form):
    reason = forms.CharField(max_length=500, widget=forms.Textarea(attrs={"rows": 2}))


@admin.register(IssuedNumber)
class IssuedNumberAdmin(admin.ModelAdmin):
    list_display = [
        "number",
        "sequence",
        "period",
        "value",
        "status",
        "document_type",
        "document_id",
        "issued_at",
        "issued_by",
    ]
    list_filter = ["status", "entity", "sequence", "document_type", ("issued_at", admin.DateFieldListFilter)]
    search_fields = ["number", "reference", "document_id"]
    date_hierarchy = "issued_at"
    actions = ["void_selected"]
    list_select_related = ["sequence", "period"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    @admin.action(description="Void selected numbers (asks for a reason)", permissions=["view"])
    def void_selected(self, request, queryset):
        if not request.user.has_perm("numbering.change_issuednumber"):
            raise PermissionDenied
        form = VoidForm(request.POST if "reason" in request.POST else None)
        if form.is_bound and form.is_valid():
            voided = 0
            # The service is the judge (e.g. a number voided meanwhile by someone else): each
            # refusal is reported and the other numbers are still voided.
            for issued in queryset.order_by("pk"):
                try:
                    issued_number_void(
                        issued_number=issued, reason=form.cleaned_data["reason"], voided_by=actor_of(request)
                    )
                except FolioError as error:
                    self.message_user(request, error.message, messages.ERROR)
                else:
                    voided += 1
            if voided:
                self.message_user(request, f"Voided {voided} number(s).", messages.SUCCESS)
            return None
        context = {
            **self.admin_site.each_context(request),
            "opts": self.model._meta,
            "title": "Void issued numbers",
            "queryset": queryset,
            "form": form,
            "action_checkbox_name": admin.helpers.ACTION_CHECKBOX_NAME,
        }
        return TemplateResponse(request, "admin/numbering/issuednumber/void.html", context)
