"""Every admin action declares its permission: a view-only staff user is neither offered one nor runs it."""

from decimal import Decimal

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db import transaction

from erp.models import ApiKey, Entity, Role
from erp.services import membership_grant
from numbering.models import IssuedNumber
from numbering.services import sequence_issue_next
from payables.models import APPayment, VendorBill, VendorCredit
from payables.services import ApplicationInput as BillApplication
from payables.services import ap_payment_create
from receivables.models import Invoice, Payment
from receivables.services import ApplicationInput, payment_apply_to_invoices
from tests.erp.factories import api_key_with_token
from tests.numbering.factories import SequenceFactory
from tests.payables.factories import VendorBillFactory, VendorCreditFactory

pytestmark = pytest.mark.django_db

# (model, action, the form fields the action's second step posts)
CUSTOM_ACTIONS = [
    (ApiKey, "revoke_selected", {}),
    (IssuedNumber, "void_selected", {"reason": "typo"}),
    (Invoice, "void_selected", {"reason": "typo"}),
    (Payment, "void_selected", {"reason": "typo"}),
    (VendorBill, "void_selected", {"reason": "typo"}),
    (APPayment, "void_selected", {"reason": "typo"}),
    (VendorCredit, "void_selected", {"reason": "typo"}),
]


def staff_with(*codenames: str, username: str):
    """A staff user (not a superuser) holding exactly the given permissions ("app.codename")."""
    user = get_user_model().objects.create_user(username, f"{username}@example.com", "unused-password-1")
    user.is_staff = True
    user.save()
    for name in codenames:
        app_label, codename = name.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    # The admin role on every live entity: only the model permissions differ (docs/access.md).
    for entity in Entity.objects.filter(livemode=True):
        membership_grant(user=user, entity=entity, role=Role.ADMIN)
    return user


@pytest.fixture
def rows(entity, customer, invoices, vendor):
    """One untouched row of every model with a custom action, by model."""
    api_key, _ = api_key_with_token(entity=entity, scopes=["numbering:read"])
    bill = VendorBillFactory(vendor=vendor, total=Decimal("80.00"))
    with transaction.atomic():
        issued = sequence_issue_next(sequence=SequenceFactory(entity=entity), document_type="test")
    return {
        ApiKey: api_key,
        IssuedNumber: issued,
        Invoice: invoices[2],
        Payment: payment_apply_to_invoices(
            entity=entity,
            customer_id=customer.pk,
            payment_method="cash",
            amount="10.00",
            applications=[ApplicationInput(document_id=invoices[0].pk, amount_applied="10.00")],
        ),
        VendorBill: VendorBillFactory(vendor=vendor),
        APPayment: ap_payment_create(
            entity=entity,
            vendor_id=vendor.pk,
            method="ach",
            amount="20.00",
            applications=[BillApplication(document_id=bill.pk, amount_applied="20.00")],
        ),
        VendorCredit: VendorCreditFactory(vendor=vendor),
    }


def offered(listing) -> list[str]:
    """Return the actions a change list offers (none at all: no action form)."""
    form = listing.context["action_form"]
    return [] if form is None else [name for name, _ in form.fields["action"].choices]


def changelist(model) -> str:
    return f"/admin/{model._meta.app_label}/{model._meta.model_name}/"


def untouched(row) -> bool:
    """Tell whether the row is still as created: not voided, not revoked."""
    row = type(row).objects.get(pk=row.pk)
    return row.revoked_at is None if isinstance(row, ApiKey) else row.status not in ("void", "voided")


def test_every_action_in_every_admin_declares_a_permission_beyond_view():
    for model, model_admin in admin.site._registry.items():
        for action in model_admin._get_base_actions():
            permissions = getattr(action.func, "allowed_permissions", ())
            assert permissions, f"{model.__name__}.{action.name} declares no permission"
            assert set(permissions) - {"view"}, f"{model.__name__}.{action.name} needs only view"


@pytest.mark.parametrize(
    ("model", "action", "fields"), CUSTOM_ACTIONS, ids=[model.__name__ for model, _, _ in CUSTOM_ACTIONS]
)
def test_a_view_only_user_is_not_offered_the_action_and_cannot_post_it(client, rows, model, action, fields):
    opts = model._meta
    client.force_login(staff_with(f"{opts.app_label}.view_{opts.model_name}", username="viewer"))
    row = rows[model]

    listing = client.get(changelist(model))
    assert listing.status_code == 200
    assert action not in offered(listing)

    posted = client.post(changelist(model), {"action": action, "_selected_action": [str(row.pk)], **fields})
    assert posted.status_code in (200, 302)
    assert untouched(row)


@pytest.mark.parametrize(
    ("model", "action", "fields"), CUSTOM_ACTIONS, ids=[model.__name__ for model, _, _ in CUSTOM_ACTIONS]
)
def test_a_user_with_the_change_permission_runs_the_action(client, rows, model, action, fields):
    opts = model._meta
    user = staff_with(
        f"{opts.app_label}.view_{opts.model_name}",
        f"{opts.app_label}.change_{opts.model_name}",
        username="clerk",
    )
    client.force_login(user)
    row = rows[model]

    offered = [
        name for name, _ in client.get(changelist(model)).context["action_form"].fields["action"].choices
    ]
    assert action in offered

    client.post(changelist(model), {"action": action, "_selected_action": [str(row.pk)], **fields})
    assert not untouched(row)
