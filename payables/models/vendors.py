"""Vendors: the companies an entity buys from."""

from ledger.documents.models import Party, entity_reference, party_constraints


class Vendor(Party):
    """A vendor account of one entity."""

    entity = entity_reference("vendors")

    class Meta(Party.Meta):
        constraints = party_constraints("vendor")
