"""Customers: created and edited through customer_create / customer_update."""

from django.contrib import admin

from ledger.documents.admin import PartyAdmin
from receivables.models import Customer
from receivables.services import customer_create, customer_update


@admin.register(Customer)
class CustomerAdmin(PartyAdmin):
    def party_create(self, **fields):
        return customer_create(**fields)

    def party_update(self, party, **fields):
        return customer_update(customer=party, **fields)
