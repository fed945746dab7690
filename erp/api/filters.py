"""The list filters and `ordering`, strict: a value they cannot use is a 400, never a silent fallback.

django-filter treats an empty value as no filter and DRF's OrderingFilter drops unknown fields (falling
back to the default order); both hide a client's mistake behind a plausible answer. Here an empty or
repeated filter and an unknown ordering field are 400 `parameter_invalid` naming the parameter.
"""

import re

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.filters import OrderingFilter

from erp.api.pagination import single
from erp.exceptions import InvalidInput


def filter_query_names(filterset_class) -> set[str]:
    """Return the query parameters a FilterSet reads (a range widget's read with their suffixes)."""
    names = set()
    for name, declared in filterset_class.base_filters.items():
        suffixes = getattr(declared.field_class.widget, "suffixes", None)
        if suffixes:
            names.update(f"{name}_{suffix}" if suffix else name for suffix in suffixes)
        else:
            names.add(name)
    return names


class StrictFilterBackend(DjangoFilterBackend):
    """django-filter, with an empty or repeated filter refused instead of ignored."""

    def filter_queryset(self, request, queryset, view):
        if not request.query_params:
            # Nothing to filter by: skip building the FilterSet (its form, deep copies of its filters),
            # which every detail request paid through get_object() (docs/benchmarks.md).
            return queryset
        filterset_class = self.get_filterset_class(view, queryset)
        if filterset_class is not None:
            for name in sorted(filter_query_names(filterset_class) & set(request.query_params)):
                value = single(request.query_params.getlist(name), name)
                if not value.strip():
                    raise InvalidInput(f"{name} must not be empty.", code="parameter_invalid", param=name)
        return super().filter_queryset(request, queryset, view)


class StrictOrderingFilter(OrderingFilter):
    """`ordering=field,-other`: every field must be one the list documents."""

    def get_ordering(self, request, queryset, view):
        values = request.query_params.getlist(self.ordering_param)
        if not values:
            return self.get_default_ordering(view)
        terms = single(values, self.ordering_param).split(",")
        valid = self.valid_names(queryset, view, request)
        for term in terms:
            if term.removeprefix("-") not in valid:
                raise InvalidInput(
                    f"{self.ordering_param} accepts a comma-separated list of {', '.join(sorted(valid))}, "
                    "each optionally prefixed with '-'.",
                    code="parameter_invalid",
                    param=self.ordering_param,
                )
        return terms

    def valid_names(self, queryset, view, request=None) -> list[str]:
        """Return the field names a view may be ordered by."""
        return [item[0] for item in self.get_valid_fields(queryset, view, {"request": request})]

    def get_schema_operation_parameters(self, view):
        parameters = super().get_schema_operation_parameters(view)
        names = getattr(view, "ordering_fields", None)
        if isinstance(names, list | tuple) and names:
            term = "-?(" + "|".join(re.escape(name) for name in names) + ")"
            for parameter in parameters:
                parameter["schema"]["pattern"] = f"^{term}(,{term})*$"
                parameter["description"] = (
                    f"Comma-separated fields to sort by, '-' for descending: {', '.join(names)}."
                )
        return parameters
