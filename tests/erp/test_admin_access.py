"""Per-entity admin access (docs/access.md): a staff member sees and acts on their entities only.

The member of entity A holds every model permission, so only the membership can keep them out of B:
every registered model admin of entity data is checked (a model admin added later is covered without
editing this file), then the pages that build their own forms.
"""

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.test import RequestFactory
from django.urls import reverse

from erp.access import entities_for, entity_path_of, may, restrict
from erp.models import Activity, ApiKey, Entity, Membership, Role
from erp.services import entity_test_books, membership_grant
from ledger.proof.checkpoints import entity_ledger_sign
from numbering.models import Sequence
from payables.models import APPayment, Vendor, VendorCredit
from receivables.models import Customer, Invoice, Payment
from tests.erp.factories import EntityFactory, api_key_with_token
from tests.helpers import refused
from tests.system.objects import object_for

pytestmark = pytest.mark.django_db

# Rows of each kind for entity B, made through the services (the rest follow from them).
MADE = [
    "ledger.JournalEntry",
    "numbering.IssuedNumber",
    "payables.APPayment",
    "payables.VendorCredit",
    "receivables.Payment",
]


def member(entity, role=Role.ACCOUNTANT, username="member"):
    """A staff user with every model permission, a member of `entity` only."""
    user = get_user_model().objects.create_user(username, f"{username}@example.com", "unused-password-1")
    user.is_staff = True
    user.save()
    user.user_permissions.set(Permission.objects.all())
    membership_grant(user=user, entity=entity, role=role, granted_by="test")
    return user


@pytest.fixture
def two_entities(db):
    """Entities A and B, each with rows of every kind, and B's test books with a key."""
    a, b = EntityFactory(name="Alpha"), EntityFactory(name="Bravo")
    for entity in (a, b):
        for label in MADE:
            app_label, model = label.split(".")
            object_for(apps.get_model(app_label, model), entity=entity)
        api_key_with_token(entity=entity, scopes=["numbering:read"])
        api_key_with_token(entity=entity, scopes=["numbering:read"], livemode=False)
        entity_ledger_sign(entity=entity)  # its checkpoints
    return a, b


def entity_admins():
    """Every registered model admin whose model belongs to an entity (or is Entity)."""
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if entity_path_of(model) is not None and model is not Membership
    ]


def url(model, view, *args):
    opts = model._meta
    return reverse(f"admin:{opts.app_label}_{opts.model_name}_{view}", args=args)


def rows_of(model, entity):
    """The rows of `model` belonging to `entity` or its test books."""
    path = entity_path_of(model)
    books = Entity.objects.filter(live_entity=entity).values("pk")
    key = f"{path}__in" if path else "pk__in"
    return model._default_manager.filter(
        **{key: Entity.objects.filter(pk=entity.pk).values("pk").union(books)}
    )


def test_every_list_shows_only_the_members_entities(client, two_entities):
    a, b = two_entities
    client.force_login(member(a))
    checked = 0
    for model, _ in entity_admins():
        theirs, mine = set(rows_of(model, b).values_list("pk", flat=True)), rows_of(model, a)
        assert theirs and mine.exists(), f"no rows of {model.__name__} to check"
        response = client.get(url(model, "changelist"))
        assert response.status_code == 200, model
        shown = {row.pk for row in response.context["cl"].result_list}
        assert shown and not shown & theirs, model
        # Their rows' own pages are 404, as if they did not exist.
        other = next(iter(theirs))
        assert client.get(url(model, "change", other)).status_code == 404, model
        assert client.get(url(model, "history", other)).status_code == 404, model
        checked += 1
    assert checked >= 12


def test_entity_filters_offer_only_the_members_entities(client, two_entities):
    a, _ = two_entities
    client.force_login(member(a))
    response = client.get(url(Customer, "changelist"))
    page = response.content.decode()
    assert "Alpha" in page and "Bravo" not in page


def test_pickers_offer_only_the_members_parties_and_entities(client, two_entities):
    a, b = two_entities
    client.force_login(member(a))
    form = client.get(url(Invoice, "add")).context["adminform"].form
    assert set(form.fields["customer"].queryset) == set(restrict(Customer.objects.all(), a_user(a)))
    assert not form.fields["customer"].queryset.filter(entity=b).exists()
    form = client.get(url(Sequence, "add")).context["adminform"].form
    assert b not in form.fields["entity"].queryset and a in form.fields["entity"].queryset
    issue = client.get(url(VendorCredit, "issue")).context["form"]
    assert not issue.fields["vendor"].queryset.filter(entity=b).exists()
    assert issue.fields["vendor"].queryset.filter(entity=a).exists()


def a_user(entity):
    return Membership.objects.get(entity=entity).user


def test_custom_pages_answer_404_for_another_entitys_rows(client, two_entities):
    a, b = two_entities
    client.force_login(member(a))
    sequence = Sequence.objects.filter(entity=b).first()
    assert client.get(url(Sequence, "advance", sequence.pk)).status_code == 404
    assert client.get(url(Sequence, "audit", sequence.pk)).status_code == 404
    preview = client.get(url(Sequence, "preview"), {"id": sequence.pk, "date": "2026-03-02"}).json()
    assert preview["ok"] is False  # nothing of B's sequence is shown
    customer, vendor = Customer.objects.filter(entity=b).first(), Vendor.objects.filter(entity=b).first()
    assert client.get(url(Payment, "receive"), {"customer": customer.pk}).status_code == 404
    assert client.get(url(APPayment, "pay_bills"), {"vendor": vendor.pk}).status_code == 404
    mine = Customer.objects.filter(entity=a).first()
    assert client.get(url(Payment, "receive"), {"customer": mine.pk}).status_code == 200


def test_a_viewer_reads_but_cannot_write_or_void(client, two_entities):
    a, _ = two_entities
    client.force_login(member(a, role=Role.VIEWER))
    assert client.get(url(Invoice, "changelist")).status_code == 200
    assert client.get(url(Invoice, "add")).status_code == 403
    assert client.get(url(Payment, "receive")).status_code == 403
    invoice = Invoice.objects.filter(entity=a).first()
    assert client.get(url(Invoice, "void", invoice.pk)).status_code == 403
    response = client.post(
        url(Invoice, "changelist"),
        {"action": "void_selected", admin.helpers.ACTION_CHECKBOX_NAME: [invoice.pk], "reason": "no"},
    )
    invoice.refresh_from_db()
    assert invoice.status != "void" and response.status_code in (200, 302)


def test_api_keys_and_entity_settings_need_the_admin_role(client, two_entities):
    a, b = two_entities
    client.force_login(member(a, role=Role.ACCOUNTANT))
    assert client.get(url(ApiKey, "add")).status_code == 403
    assert client.get(url(Entity, "change", a.pk)).context["has_change_permission"] is False
    client.logout()
    client.force_login(member(a, role=Role.ADMIN, username="boss"))
    form = client.get(url(ApiKey, "add")).context["adminform"].form
    assert list(form.fields["entity"].queryset) == [a]  # live entities the user administers
    key = ApiKey.objects.filter(entity=b).first()
    client.post(
        url(ApiKey, "changelist"), {"action": "revoke_selected", admin.helpers.ACTION_CHECKBOX_NAME: [key.pk]}
    )
    key.refresh_from_db()
    assert key.revoked_at is None  # another entity's key cannot be revoked
    assert client.get(url(Entity, "add")).status_code == 403  # only a superuser creates entities


def test_a_membership_covers_the_test_books_and_names_the_live_entity(two_entities):
    a, b = two_entities
    user = member(a)
    books = entity_test_books(entity=a)
    assert set(entities_for(user)) == {a, books}
    assert may(user, books, Role.ACCOUNTANT) and not may(user, b) and not may(user, a, Role.ADMIN)
    # Granted on the test books, a membership names the live entity.
    assert membership_grant(user=user, entity=books, role=Role.VIEWER).entity == a
    with refused("membership_of_live_entity"):
        Membership.objects.filter(user=user).update(entity=books)


def test_only_superusers_manage_memberships(client, two_entities):
    a, _ = two_entities
    client.force_login(member(a, role=Role.ADMIN))
    assert client.get(url(Membership, "changelist")).status_code == 403
    superuser = get_user_model().objects.create_superuser("root", "root@example.com", "unused-password-1")
    client.force_login(superuser)
    assert client.get(url(Membership, "changelist")).status_code == 200
    assert set(entities_for(superuser)) == set(Entity.objects.all())


def test_a_member_cannot_become_superuser_or_take_over_other_accounts(client, two_entities):
    """Accounts span entities: only a superuser manages users and groups, whatever a member's permissions."""
    a, b = two_entities
    me = member(a, role=Role.ADMIN)
    other = member(b, username="bravo-staff")
    root = get_user_model().objects.create_superuser("root", "root@example.com", "unused-password-1")
    client.force_login(me)
    User = get_user_model()
    for model in (User, Group):
        assert client.get(url(model, "changelist")).status_code == 403, model
        assert client.get(url(model, "add")).status_code == 403, model
    for target in (me, other, root):
        assert client.get(url(User, "change", target.pk)).status_code == 403
        assert client.get(url(User, "password_change", target.pk)).status_code == 403
    # Posting the change form anyway changes nothing: neither their own flags nor another's password.
    client.post(
        url(User, "change", me.pk),
        {"username": me.username, "is_active": "on", "is_staff": "on", "is_superuser": "on"},
    )
    client.post(
        url(User, "password_change", other.pk),
        {"password1": "Taken-over-9", "password2": "Taken-over-9", "usable_password": "true"},
    )
    me.refresh_from_db()
    other.refresh_from_db()
    assert not me.is_superuser and not other.check_password("Taken-over-9")
    assert set(entities_for(me)) == {a, *Entity.objects.filter(live_entity=a)}
    client.force_login(root)
    assert client.get(url(User, "change", me.pk)).status_code == 200
    assert client.get(url(Group, "changelist")).status_code == 200


def test_autocomplete_offers_only_the_members_rows(client, two_entities):
    a, b = two_entities
    client.force_login(member(a))

    def found(app_label, model_name, field_name, term=""):
        response = client.get(
            reverse("admin:autocomplete"),
            {"app_label": app_label, "model_name": model_name, "field_name": field_name, "term": term},
        )
        return response.status_code, {row["id"] for row in response.json().get("results", [])}

    mine = {str(pk) for pk in Customer.objects.filter(entity=a).values_list("pk", flat=True)}
    assert found("receivables", "invoice", "customer") == (200, mine)
    theirs = Customer.objects.filter(entity=b).first()
    status, named = found("receivables", "invoice", "customer", theirs.name)
    assert status == 200 and str(theirs.pk) not in named and named <= mine
    status, entities = found("numbering", "sequence", "entity")
    assert status == 200 and str(b.pk) not in entities and str(a.pk) in entities
    # Users span entities: their names are a superuser's to look up.
    users = {"app_label": "erp", "model_name": "membership", "field_name": "user"}
    assert client.get(reverse("admin:autocomplete"), users).status_code == 403


def test_autocomplete_of_a_write_picker_offers_only_entities_the_user_writes(client, two_entities):
    a, b = two_entities
    user = member(a)  # an accountant of A
    membership_grant(user=user, entity=b, role=Role.VIEWER, granted_by="test")
    client.force_login(user)
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "receivables", "model_name": "invoice", "field_name": "customer", "term": ""},
    )
    offered = {row["id"] for row in response.json()["results"]}
    assert offered == {str(pk) for pk in Customer.objects.filter(entity=a).values_list("pk", flat=True)}
    # B's customers are still theirs to read.
    theirs = Customer.objects.filter(entity=b).first()
    assert client.get(url(Customer, "change", theirs.pk)).status_code == 200


def test_a_nul_in_a_list_filter_or_an_autocomplete_term_is_no_500(client, two_entities):
    a, _ = two_entities
    client.force_login(member(a))
    for query in ({"status__exact": "\x00"}, {"number": "a\x00"}, {"\x00": "1"}):
        response = client.get(url(Invoice, "changelist"), query)
        assert response.status_code == 302 and response["Location"].endswith("?e=1"), query
        assert client.get(url(Invoice, "export_csv"), query).status_code == 302, query
    response = client.get(
        reverse("admin:autocomplete"),
        {"app_label": "receivables", "model_name": "invoice", "field_name": "customer", "term": "\x00"},
    )
    assert response.status_code == 200


def test_a_viewer_runs_no_action_and_posts_no_page(client, two_entities):
    """Every action of every model admin, and every page that writes, leaves a viewer's books as they were."""
    a, _ = two_entities
    client.force_login(member(a, role=Role.VIEWER))
    writes = Activity.objects.count()
    ran = 0
    # Every action declared, as a superuser is offered them (the viewer is offered none).
    request = RequestFactory().get("/")
    request.user = get_user_model().objects.create_superuser("root", "root@example.com", "unused-password-1")
    for model, model_admin in entity_admins():
        mine = [str(pk) for pk in rows_of(model, a).values_list("pk", flat=True)]
        for name in model_admin.get_actions(request) or []:
            client.post(
                url(model, "changelist"),
                {"action": name, admin.helpers.ACTION_CHECKBOX_NAME: mine, "reason": "no", "post": "yes"},
            )
            ran += 1
    sequence = Sequence.objects.filter(entity=a).first()
    advance = {"date": "2026-03-02", "advance_to": 999, "reason": "no", "confirmed": "on"}
    assert client.post(url(Sequence, "advance", sequence.pk), advance).status_code == 403
    vendor = Vendor.objects.filter(entity=a).first()
    credit = {"vendor": vendor.pk, "amount": "5.00", "reason": "no", "source_type": "manual"}
    assert client.post(url(VendorCredit, "issue"), credit).status_code == 403
    assert client.post(url(APPayment, "pay_bills"), {"vendor": vendor.pk}).status_code == 403
    assert ran >= 5 and Activity.objects.count() == writes
