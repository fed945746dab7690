"""Instances built from rows without Model.__init__ (erp.rows.instances_loaded) are the ORM's own."""

import pytest
from django.db.models.signals import post_init

from erp.models import Entity
from erp.rows import instances_loaded, prefetched, row_update, rows_where
from ledger.models import Account

pytestmark = pytest.mark.django_db


def _state(instance) -> tuple:
    return instance.__dict__.keys() - {"_state"}, instance._state.adding, instance._state.db


def test_an_instance_loaded_from_a_row_equals_the_one_from_db_builds(entity):
    account = Account.objects.filter(entity=entity).first()
    fields = Account._meta.concrete_fields
    values = [getattr(account, f.attname) for f in fields]
    reversed_names = [f.attname for f in reversed(fields)]
    (ours,) = instances_loaded(Account, reversed_names, [list(reversed(values))])
    theirs = Account.from_db("default", None, values)
    assert type(ours) is Account and ours == theirs
    assert [getattr(ours, f.attname) for f in fields] == values
    assert _state(ours) == _state(theirs) == (set(reversed_names), False, "default")
    assert ours.entity == entity  # the relation loads as from_db's would
    ours.name = "Renamed"
    ours.save(update_fields=["name"])  # an existing row: an UPDATE, not an INSERT
    assert Account.objects.get(pk=account.pk).name == "Renamed"


def test_rows_where_gives_instances_the_orm_would(entity):
    (ours,) = rows_where(Entity, "id = %s", [entity.pk])
    theirs = Entity.objects.get(pk=entity.pk)
    fields = [f.attname for f in Entity._meta.concrete_fields]
    assert [getattr(ours, f) for f in fields] == [getattr(theirs, f) for f in fields]
    assert _state(ours) == _state(theirs)


def test_with_an_init_receiver_connected_every_row_goes_through_from_db(entity):
    seen = []

    def receiver(sender, instance, **kwargs):
        seen.append(instance)

    post_init.connect(receiver, sender=Account)
    try:
        accounts = rows_where(Account, "entity_id = %s", [entity.pk])
    finally:
        post_init.disconnect(receiver, sender=Account)
    assert accounts and seen == accounts


def test_a_row_missing_a_field_is_refused(entity):
    with pytest.raises(ValueError, match="a value for each"):
        instances_loaded(Account, ["id", "code"], [[1, "bank"]])


def test_a_row_update_writes_what_the_orms_would_and_nothing_else(entity):
    account = Account.objects.filter(entity=entity).first()
    assert row_update(Account, account.pk, name="Cash at bank") == 1
    assert Account.objects.get(pk=account.pk).name == "Cash at bank"
    assert Account.objects.get(pk=account.pk).created_at == account.created_at
    assert row_update(Account, entity.pk, name="nobody") == 0  # no such account: nothing written


def test_rows_held_as_prefetched_are_read_without_a_query(entity, django_assert_num_queries):
    accounts = list(Account.objects.filter(entity=entity).order_by("code")[:2])
    prefetched(entity, accounts=accounts)
    with django_assert_num_queries(0):
        assert list(entity.accounts.all()) == accounts
    with django_assert_num_queries(1):
        assert entity.accounts.get(pk=accounts[1].pk) == accounts[1]
