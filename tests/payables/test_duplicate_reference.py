"""One live bill per vendor reference: 409 duplicate_vendor_reference (docs/payables.md, "Duplicate vendor
references")."""

from decimal import Decimal

import pytest

from erp.exceptions import Conflict
from payables.models import VendorBill
from payables.services import LineInput, vendor_bill_create, vendor_bill_update, vendor_bill_void
from tests.helpers import error_of, race, refused, sql
from tests.payables.factories import BILL_DATE, VendorBillFactory, VendorFactory


def bill_body(vendor, reference: str, **fields) -> dict:
    return {
        "vendor_id": str(vendor.pk),
        "bill_date": "2026-03-02",
        "vendor_reference": reference,
        "lines": [{"description": "Paper", "unit_price": "10.00"}],
        **fields,
    }


@pytest.mark.django_db
class TestTheRule:
    def test_the_same_reference_of_the_same_vendor_is_409(self, api, vendor):
        first = api.post("/v1/vendor-bills", bill_body(vendor, "NW-4410"), format="json")
        assert first.status_code == 201
        second = api.post("/v1/vendor-bills", bill_body(vendor, "NW-4410"), format="json")
        assert error_of(second) == (409, "duplicate_vendor_reference", "vendor_reference")
        assert first.json()["number"] in second.json()["error"]["message"]
        assert VendorBill.objects.filter(vendor=vendor).count() == 1

    @pytest.mark.parametrize("typed", ["nw-4410", "  NW-4410 ", "NW-4410", "Nw-4410"])
    def test_case_and_surrounding_whitespace_do_not_make_it_another(self, vendor, typed):
        VendorBillFactory(vendor=vendor, vendor_reference="NW-4410")
        with pytest.raises(Conflict) as raised:
            VendorBillFactory(vendor=vendor, vendor_reference=typed)
        assert raised.value.code == "duplicate_vendor_reference"

    def test_runs_of_inner_whitespace_count_as_one_space(self, vendor):
        VendorBillFactory(vendor=vendor, vendor_reference="INV 2026 001")
        with pytest.raises(Conflict):
            VendorBillFactory(vendor=vendor, vendor_reference="inv  2026   001")
        VendorBillFactory(vendor=vendor, vendor_reference="INV-2026-001")  # other characters: another

    @pytest.mark.parametrize("typed", ["INV\u00a02026 001", "INV\u202f2026\u3000001", "inv \u2009 2026 001"])
    def test_a_no_break_or_other_unicode_space_counts_as_a_space(self, vendor, typed):
        # Copied from a PDF, a reference often carries a no-break space where the paper shows a space.
        VendorBillFactory(vendor=vendor, vendor_reference="INV 2026 001")
        with pytest.raises(Conflict):
            VendorBillFactory(vendor=vendor, vendor_reference=typed)

    def test_another_vendor_or_no_reference_is_free(self, vendor, other_vendor):
        VendorBillFactory(vendor=vendor, vendor_reference="A-1")
        VendorBillFactory(vendor=other_vendor, vendor_reference="A-1")
        VendorBillFactory(vendor=vendor, vendor_reference="")
        VendorBillFactory(vendor=vendor, vendor_reference="")
        assert VendorBill.objects.filter(entity=vendor.entity).count() == 4

    def test_a_void_bill_frees_its_reference(self, vendor):
        first = VendorBillFactory(vendor=vendor, vendor_reference="CF-118")
        vendor_bill_void(bill=first, reason="Entered twice", voided_by="test")
        again = VendorBillFactory(vendor=vendor, vendor_reference="CF-118")
        assert again.status == VendorBill.Status.OPEN

    def test_a_draft_holds_its_reference_and_its_own_edit_keeps_it(self, vendor):
        draft = vendor_bill_create(
            entity=vendor.entity,
            vendor_id=vendor.pk,
            bill_date=BILL_DATE,
            vendor_reference="D-7",
            lines=[LineInput(description="Goods", unit_price="5.00")],
            draft=True,
        )
        with pytest.raises(Conflict):
            VendorBillFactory(vendor=vendor, vendor_reference="d-7")
        edited = vendor_bill_update(bill=draft, vendor_reference="D-7 ", lines=[LineInput("Goods", "6.00")])
        assert edited.total == Decimal("6.00")
        other = VendorBillFactory(vendor=vendor, vendor_reference="D-8")
        assert other.vendor_reference == "D-8"
        with pytest.raises(Conflict) as raised:
            vendor_bill_update(bill=draft, vendor_reference="D-8")
        assert raised.value.code == "duplicate_vendor_reference"


@pytest.mark.django_db
def test_the_database_refuses_a_duplicate_around_the_service(vendor):
    bill = VendorBillFactory(vendor=vendor, vendor_reference="RAW-1")
    other = VendorBillFactory(vendor=vendor, vendor_reference="RAW-2")
    with refused("vendor_bill_unique_vendor_reference"):
        sql("UPDATE payables_vendorbill SET vendor_reference = 'raw-1' WHERE id = %s", [other.pk])
    other.refresh_from_db()
    assert (bill.vendor_reference, other.vendor_reference) == ("RAW-1", "RAW-2")


@pytest.mark.django_db(transaction=True)
def test_two_bills_with_one_reference_at_once_make_one_bill(entity):
    vendor = VendorFactory(entity=entity)
    results = race(*(lambda: VendorBillFactory(vendor=vendor, vendor_reference="RACE-1") for _ in range(2)))
    made = [r for r in results if isinstance(r, VendorBill)]
    conflicts = [r for r in results if isinstance(r, Conflict)]
    assert len(made) == 1 and len(conflicts) == 1, results
    assert conflicts[0].code == "duplicate_vendor_reference"
    assert VendorBill.objects.filter(vendor=vendor).count() == 1
