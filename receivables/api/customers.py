"""Customers API: /v1/customers create, list, retrieve, PATCH (scope accounts:read|write)."""

from ledger.documents import api as kit
from receivables import selectors
from receivables.models import Customer
from receivables.services import customer_create, customer_update


class CustomerSerializer(kit.PartySerializer):
    object = kit.ObjectNameField("customer")

    class Meta(kit.PartySerializer.Meta):
        model = Customer


class CustomerViewSet(kit.PartyViewSet):
    """Customer accounts: create, list, retrieve, PATCH."""

    serializer_class = CustomerSerializer
    filterset_class = kit.party_filterset(Customer)
    selector = staticmethod(selectors.customers_for_entity)
    create_service, update_service = staticmethod(customer_create), staticmethod(customer_update)
    update_keyword = "customer"
