"""Vendors API: /v1/vendors create, list, retrieve, PATCH (scope accounts:read|write)."""

from ledger.documents import api as kit
from payables import selectors
from payables.models import Vendor
from payables.services import vendor_create, vendor_update


class VendorSerializer(kit.PartySerializer):
    object = kit.ObjectNameField("vendor")

    class Meta(kit.PartySerializer.Meta):
        model = Vendor


class VendorViewSet(kit.PartyViewSet):
    """Vendors of the caller's entity."""

    serializer_class = VendorSerializer
    filterset_class = kit.party_filterset(Vendor)
    selector = staticmethod(selectors.vendors_for_entity)
    create_service, update_service = staticmethod(vendor_create), staticmethod(vendor_update)
    update_keyword = "vendor"
