"""Customers: the accounts an entity invoices and receives payments from."""

from ledger.documents.models import Party, entity_reference, party_constraints


class Customer(Party):
    """A customer account (the payments API's `account_id`)."""

    entity = entity_reference("customers")

    class Meta(Party.Meta):
        constraints = party_constraints("customer")
