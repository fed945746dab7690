"""Customers API: /v1/customers create, list, retrieve, PATCH (scope accounts:read|write)."""

from ledger.documents.api import ObjectNameField, PartySerializer, PartyViewSet, party_filterset
from receivables import selectors
from receivables.models import Customer
from receivables.services import customer_create, customer_update


class CustomerSerializer(PartySerializer):
    object = ObjectNameField("customer")

    class Meta(PartySerializer.Meta):
        model = Customer


class CustomerViewSet(PartyViewSet):
    """Customer accounts: create, list, retrieve, PATCH."""

    serializer_class = CustomerSerializer
    filterset_class = party_filterset(Customer)
    selector = staticmethod(selectors.customers_for_entity)
    create_service = staticmethod(customer_create)
    update_service = staticmethod(customer_update)
    update_keyword = "customer"
