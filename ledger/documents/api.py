"""The API kit receivables and payables share: input parsed at the boundary, voids, filters, base views.

Input fields parse with the same functions the services use (ledger.documents.services), so a value
refused here carries the same `code` as the service would give it, and the views hand the services
typed values (`LineInput`, `ApplicationInput`, Decimals, dates). docs/api.md lists the codes.
"""

import django_filters
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from erp.api.base import UUID_PATH, FolioViewSet, actor_of
from erp.api.serializers import InputSerializer
from erp.exceptions import InvalidInput
from erp.money import money_parse, money_string
from ledger.documents.services import ApplicationInput, LineInput, quantity_parse, text_parse

__all__ = [
    "DOCUMENT_CREATE_ERRORS",
    "DRAFT_ERRORS",
    "PARTY_ERRORS",
    "PAYMENT_ERRORS",
    "VOID_AND_TIMESTAMPS",
    "VOID_ERRORS",
    "ApplicationInputSerializer",
    "CreateMixin",
    "DraftMixin",
    "LineInputSerializer",
    "MoneyField",
    "ObjectNameField",
    "PartyInputSerializer",
    "PartySerializer",
    "PartyViewSet",
    "PostedViewSet",
    "QuantityField",
    "TextField",
    "VoidActionMixin",
    "VoidInputSerializer",
    "application_inputs",
    "date_range_filters",
    "line_inputs",
    "merged",
    "money_output",
    "party_filterset",
    "posted_filterset",
]


def _parsed(parse, *args, **kwargs):
    """Run a kit parser; its refusal becomes the field's validation error with the same code."""
    try:
        return parse(*args, **kwargs)
    except InvalidInput as error:
        raise serializers.ValidationError(error.message, code=error.code) from None


class TextField(serializers.CharField):
    """Text as the services take it: a string, stripped, no NUL; too long is `<field>_too_long`."""

    def __init__(self, **kwargs):
        kwargs.setdefault("trim_whitespace", False)  # stripped by text_parse, which sees a blank required
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        required = not self.allow_blank
        return _parsed(
            text_parse, data, param=self.field_name, max_length=self.max_length or 10**6, required=required
        )


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string", "example": "125.50"}]})
class MoneyField(serializers.Field):
    """An amount sent as a JSON number or string, parsed to a Decimal (docs/api.md, "Money")."""

    def __init__(self, *, positive: bool = True, exact_cents: bool = True, **kwargs):
        self.positive, self.exact_cents = positive, exact_cents
        super().__init__(**kwargs)

    def to_internal_value(self, data):
        return _parsed(
            money_parse, data, param=self.field_name, positive=self.positive, exact_cents=self.exact_cents
        )

    def to_representation(self, value):
        return money_string(value)


@extend_schema_field({"oneOf": [{"type": "number"}, {"type": "string", "example": "1.5"}]})
class QuantityField(serializers.Field):
    """A line quantity sent as a JSON number or string: above zero, at most four decimal places."""

    def to_internal_value(self, data):
        return _parsed(quantity_parse, data, param=self.field_name)

    def to_representation(self, value):
        return str(value)


@extend_schema_field({"type": "string"})
class ObjectNameField(serializers.Field):
    """The constant `object` of an output: what kind of thing this is ("invoice", "vendor_bill")."""

    def __init__(self, name: str, **kwargs):
        self.name = name
        super().__init__(source="*", read_only=True, **kwargs)

    def to_representation(self, value):
        return self.name


# The last fields of every posted document's and AP payment's output, in this order.
VOID_AND_TIMESTAMPS = ["void_reason", "voided_at", "created_at", "updated_at"]


def money_output() -> serializers.DecimalField:
    """Return a read-only output field rendering an amount as a decimal string."""
    return serializers.DecimalField(max_digits=14, decimal_places=2, read_only=True, coerce_to_string=True)


# --- error codes (documented per operation in the OpenAPI schema; docs/api.md lists them) ---------

# Codes every document create can answer besides the generic ones (erp/api/schema.py).
DOCUMENT_CREATE_ERRORS = {
    400: [
        "not_a_list",
        "invalid_line_count",
        "description_too_long",
        "amount_negative",
        "too_many_decimal_places",
        "amount_too_large",
        "quantity_not_positive",
        "quantity_too_large",
    ],
    404: ["resource_missing"],
    422: ["total_not_positive", "due_date_before_document_date"],
}
# Codes every payment applying to documents can answer.
PAYMENT_ERRORS = {
    400: [
        "invalid_choice",
        "not_a_list",
        "invalid_application_count",
        "amount_not_positive",
        "too_many_decimal_places",
        "amount_too_large",
        "check_fields_not_allowed",
        "check_number_too_long",
        "external_reference_too_long",
        "notes_too_long",
    ],
    404: ["resource_missing"],
    422: ["duplicate_document", "party_mismatch", "document_not_open", "amount_exceeds_balance"],
}
VOID_ERRORS = {400: ["reason_too_long"], 409: ["already_void", "document_is_draft"]}
# Codes of a draft's edit, deletion and posting (docs/api.md, "Drafts").
DRAFT_ERRORS = {
    "partial_update": {409: ["document_posted"]},
    "destroy": {409: ["document_posted"]},
    "post_draft": {409: ["already_posted"], 422: ["period_locked", "date_out_of_range"]},
}
PARTY_ERRORS = {400: ["name_too_long", "email_too_long", "external_reference_too_long", "invalid_email"]}


def merged(*tables: dict[int, list[str]]) -> dict[int, list[str]]:
    """Return error tables merged status by status."""
    result: dict[int, list[str]] = {}
    for table in tables:
        for status_code, codes in table.items():
            result.setdefault(status_code, []).extend(codes)
    return result


# --- inputs --------------------------------------------------------------------------------------


class LineInputSerializer(InputSerializer):
    """A document line: description, quantity (default 1), unit_price (never negative)."""

    description = TextField(max_length=500)
    quantity = QuantityField(required=False, default=1)
    unit_price = MoneyField(positive=False)


def line_inputs(lines: list[dict]) -> list[LineInput]:
    """Return validated line data as the services' typed lines."""
    return [LineInput(**line) for line in lines]


# Each ledger adds the field naming the document and validates to {document_id, amount_applied}.
class ApplicationInputSerializer(InputSerializer):
    """The part of a payment applied to one document."""

    amount_applied = MoneyField()


def application_inputs(applications: list[dict]) -> list[ApplicationInput]:
    """Return validated application data (with `document_id`) as the services' typed applications."""
    return [
        ApplicationInput(application["document_id"], application["amount_applied"])
        for application in applications
    ]


class VoidInputSerializer(InputSerializer):
    """Every void: the reason auditors will read, required."""

    reason = TextField(
        max_length=500, help_text="Why the document is voided (required, at most 500 characters)."
    )


class PartyInputSerializer(InputSerializer):
    """A customer or vendor: name, email?, external_reference?."""

    name = TextField(max_length=200)
    email = TextField(required=False, allow_blank=True, max_length=254)
    external_reference = TextField(required=False, allow_blank=True, max_length=200)


# Each ledger sets `Meta.model` and `object`.
class PartySerializer(serializers.ModelSerializer):
    """A customer or vendor account."""

    entity_id = serializers.UUIDField(read_only=True)

    class Meta:
        fields = [
            "id",
            "object",
            "entity_id",
            "name",
            "email",
            "external_reference",
            "created_at",
            "updated_at",
        ]


# --- filters -------------------------------------------------------------------------------------


def date_range_filters(field: str) -> tuple[django_filters.DateFilter, django_filters.DateFilter]:
    """Return the filters `<field>_from` and `<field>_to` of a date, both inclusive."""
    return (
        django_filters.DateFilter(field_name=field, lookup_expr="gte"),
        django_filters.DateFilter(field_name=field, lookup_expr="lte"),
    )


def posted_filterset(
    model, party: str, date_field: str, *fields: str, party_field: str = ""
) -> type[django_filters.FilterSet]:
    """Return the filters of a document or payment list: its party (`<party>_id`), `fields`, a date range."""
    range_from, range_to = date_range_filters(date_field)
    names = [party, *fields, f"{date_field}_from", f"{date_field}_to"]
    declared = {
        party: django_filters.UUIDFilter(field_name=party_field or f"{party}_id"),
        f"{date_field}_from": range_from,
        f"{date_field}_to": range_to,
        "Meta": type("Meta", (), {"model": model, "fields": names}),
    }
    return type(f"{model.__name__}Filter", (django_filters.FilterSet,), declared)


def party_filterset(model) -> type[django_filters.FilterSet]:
    """Return the filters of a party list: name (contains), email (any case), external_reference."""
    declared = {
        "name": django_filters.CharFilter(lookup_expr="icontains"),
        "email": django_filters.CharFilter(lookup_expr="iexact"),
        "Meta": type("Meta", (), {"model": model, "fields": ["name", "email", "external_reference"]}),
    }
    return type(f"{model.__name__}Filter", (django_filters.FilterSet,), declared)


# --- views ---------------------------------------------------------------------------------------


class VoidActionMixin:
    """POST …/{id}/void {"reason"}: the ledger's void service, answered with the fresh row.

    A viewset sets `void_service` (a staticmethod) and `void_keyword` (its row argument).
    """

    void_service = None
    void_keyword = ""

    @extend_schema(request=VoidInputSerializer)
    @action(detail=True, methods=["post"])
    def void(self, request, pk=None):
        row = self.get_object()
        body = VoidInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        voided = self.void_service(
            **{self.void_keyword: row}, reason=body.validated_data["reason"], voided_by=actor_of(request)
        )
        return Response(self.rendered(voided))

    def rendered(self, row) -> dict:
        """Return the response body for a row just written, read back as a list would show it."""
        return self.get_serializer(self.get_queryset().get(pk=row.pk)).data


class PostedViewSet(VoidActionMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, FolioViewSet):
    """Documents or payments of the caller's entity: list, retrieve (by UUID), void; newest first."""

    lookup_value_regex = UUID_PATH
    ordering = ["-created_at"]
    error_codes = {"void": VOID_ERRORS}


class CreateMixin:
    """POST creates through the ledger's service: the body validated, lines and applications typed.

    A viewset sets `input_serializer_class` and `create_service` (a staticmethod taking the body's
    fields, `entity` and `created_by`); its schema names the input with extend_schema_view.
    """

    input_serializer_class = None
    create_service = None
    # True when the service returns the row with everything the serializer reads (its related rows
    # prefetched and their own relations cached): it is rendered as returned, not read back (three
    # queries fewer for an AP payment; tests check the body equals the row read back).
    created_row_complete = False

    def create(self, request):
        body = self.input_serializer_class(data=request.data)
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        if "lines" in fields:
            fields["lines"] = line_inputs(fields["lines"])
        if "applications" in fields:
            fields["applications"] = application_inputs(fields["applications"])
        row = self.create_service(entity=self.entity, created_by=actor_of(request), **fields)
        body = self.get_serializer(row).data if self.created_row_complete else self.rendered(row)
        return Response(body, status=status.HTTP_201_CREATED)


class PostInputSerializer(InputSerializer):
    """Posting a draft takes no parameter: the body is empty or `{}`."""


class DraftMixin:
    """A document's drafts: PATCH changes one, DELETE deletes it, POST …/{id}/post posts it (number last).

    A viewset sets `update_input_serializer_class` and the staticmethods `update_service`,
    `delete_service` and `post_service`, each taking the row as `draft_keyword`; a posted document
    answers 409 (docs/api.md, "Drafts").
    """

    update_input_serializer_class = None
    update_service = delete_service = post_service = None
    draft_keyword = ""

    def partial_update(self, request, pk=None):
        row = self.get_object()
        body = self.update_input_serializer_class(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        fields = dict(body.validated_data)
        if "lines" in fields:
            fields["lines"] = line_inputs(fields["lines"])
        updated = self.update_service(**{self.draft_keyword: row}, updated_by=actor_of(request), **fields)
        return Response(self.rendered(updated))

    def destroy(self, request, pk=None):
        row = self.get_object()
        self.delete_service(**{self.draft_keyword: row}, deleted_by=actor_of(request))
        return Response(status=status.HTTP_204_NO_CONTENT)

    # Not named `post`: a viewset's method of that name would answer every POST to the detail path.
    @extend_schema(request=PostInputSerializer)
    @action(detail=True, methods=["post"], url_path="post")
    def post_draft(self, request, pk=None):
        row = self.get_object()
        PostInputSerializer(data=request.data).is_valid(raise_exception=True)  # no body, or {}
        posted = self.post_service(**{self.draft_keyword: row}, posted_by=actor_of(request))
        return Response(self.rendered(posted))


class PartyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, FolioViewSet):
    """Customers or vendors of the caller's entity: create, list, retrieve, PATCH.

    A subclass sets `serializer_class`, `filterset_class`, `selector`, `create_service` and
    `update_service` (staticmethods) and `update_keyword`.
    """

    required_scopes = {"read": "accounts:read", "write": "accounts:write"}
    lookup_value_regex = UUID_PATH
    ordering_fields = ["name", "created_at"]
    ordering = ["-created_at"]
    http_method_names = ["get", "post", "patch", "head", "options"]
    error_codes = {"create": PARTY_ERRORS, "partial_update": PARTY_ERRORS}
    selector = create_service = update_service = None
    update_keyword = ""

    def get_queryset(self):
        return self.selector(entity=self.entity)

    @extend_schema(request=PartyInputSerializer)
    def create(self, request):
        body = PartyInputSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        party = self.create_service(entity=self.entity, **body.validated_data)
        return Response(self.get_serializer(party).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=PartyInputSerializer)
    def partial_update(self, request, pk=None):
        party = self.get_object()
        body = PartyInputSerializer(data=request.data, partial=True)
        body.is_valid(raise_exception=True)
        party = self.update_service(**{self.update_keyword: party}, **body.validated_data)
        return Response(self.get_serializer(party).data)
