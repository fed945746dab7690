"""Vendors API: /v1/vendors create, list, retrieve, PATCH (scope accounts:read|write)."""

from ledger.documents.api import ObjectNameField, PartySerializer, PartyViewSet, party_filterset
from payables import selectors
from payables.models import Vendor
from payables.services import vendor_create, vendor_update


class VendorSerializer(PartySerializer):
    object = ObjectNameField("vendor")

    class Meta(PartySerializer.Meta):
        model = Vendor


class VendorViewSet(PartyViewSet):
    """Vendors of the caller's entity."""

    serializer_class = VendorSerializer
    filterset_class = party_filterset(Vendor)
    selector = staticmethod(selectors.vendors_for_entity)
    create_service = staticmethod(vendor_create)
    update_service = staticmethod(vendor_update)
    update_keyword = "vendor"
