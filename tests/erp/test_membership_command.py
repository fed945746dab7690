"""The membership command: grant, change, revoke and list admin access per entity, logged."""

import json

import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError

from erp.models import Activity, Membership
from tests.helpers import command_output

pytestmark = pytest.mark.django_db


@pytest.fixture
def clerk(db):
    return get_user_model().objects.create_user("clerk", password="x-password-1", is_staff=True)


def test_grant_change_and_revoke_are_one_membership_each_logged(entity, clerk):
    assert "clerk is viewer of" in command_output("membership", "grant", "clerk", entity.code, "viewer")
    command_output("membership", "grant", "clerk", str(entity.pk), "accountant")

    membership = Membership.objects.get(user=clerk, entity=entity)
    assert (membership.role, membership.granted_by) == ("accountant", "command:membership")
    listed = json.loads(command_output("membership", "list", "--entity", entity.code, "--json"))
    assert [(row["user"], row["role"]) for row in listed["memberships"]] == [("clerk", "accountant")]

    command_output("membership", "revoke", "clerk", entity.code)
    assert not Membership.objects.filter(user=clerk).exists()
    logged = Activity.objects.filter(entity=entity, object_type="membership").order_by("occurred_at")
    assert [(row.action, row.channel, row.changes["role"]) for row in logged] == [
        ("membership.created", "command", [None, "viewer"]),
        ("membership.updated", "command", ["viewer", "accountant"]),
        ("membership.deleted", "command", ["accountant", None]),
    ]


@pytest.mark.parametrize(
    ("args", "code"),
    [
        (["grant", "nobody", "{entity}", "viewer"], "user_not_found"),
        (["grant", "clerk", "no-such-entity", "viewer"], "entity_not_found"),
        (["revoke", "clerk", "{entity}"], "membership_not_found"),
    ],
)
def test_bad_input_is_one_line_and_writes_nothing(entity, clerk, args, code):
    args = [arg.format(entity=entity.code) for arg in args]
    with pytest.raises(CommandError) as raised:
        command_output("membership", *args)
    assert f"[{code}]" in str(raised.value) and "\n" not in str(raised.value)
    assert not Membership.objects.exists()


def test_a_user_who_is_not_staff_cannot_be_granted(entity):
    get_user_model().objects.create_user("outsider", password="x-password-1")
    with pytest.raises(CommandError, match=r"\[user_not_staff\]"):
        command_output("membership", "grant", "outsider", entity.code, "admin")
    assert not Membership.objects.exists()
