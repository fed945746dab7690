"""Money invariants as a property: any sequence of money operations keeps every balance and the books true.

A hypothesis state machine drives the services in random order — invoices, multi-invoice payments
and their voids, invoice voids, vendor bills, vendor credits (issued, voided, expired), AP payments
with and without credit and their voids, bill voids — including requests the rules refuse
(over-application, paying a void document, another customer's invoice, too little credit…), which
must fail with a FolioError and change nothing. After every step the invariants below are checked
against the database. Every call commits for real, so the deferred constraint triggers run too.
"""

import datetime
from collections import Counter
from decimal import Decimal
from functools import partial

import pytest
from django.db.models import Count, F, Q, Sum
from django.utils import timezone
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from erp.exceptions import FolioError
from ledger.documents.services import ApplicationInput, LineInput
from ledger.models import JournalEntry, JournalLine
from ledger.selectors import account_balance
from numbering.audit import entity_audit
from numbering.models import IssuedNumber
from payables.models import APPayment, VendorBill, VendorCredit, VendorCreditApplication
from payables.services import (
    ap_payment_create,
    ap_payment_void,
    vendor_bill_create,
    vendor_bill_void,
    vendor_credit_expire,
    vendor_credit_issue,
    vendor_credit_void,
)
from receivables.models import Invoice, Payment, PaymentApplication
from receivables.services import (
    invoice_create,
    invoice_void,
    payment_apply_to_invoices,
    payment_void,
)
from tests.erp.factories import EntityFactory
from tests.payables.factories import VendorFactory
from tests.receivables.factories import CustomerFactory

CENT = Decimal("0.01")
ZERO = Decimal("0.00")
DOCUMENT_DATE = datetime.date(2026, 3, 2)
CENTS = st.integers(min_value=1, max_value=50_000)
# One step in five is a deliberate mistake: a document that is not payable, of another customer or
# vendor, listed twice, or more than its balance. The rules must refuse it and change nothing.
MISTAKE = st.integers(0, 4).map(lambda n: n == 4)  # not 0: hypothesis favours simple values


def money(cents: int) -> Decimal:
    """Return an amount of `cents` cents."""
    return (Decimal(cents) * CENT).quantize(CENT)


def share_of(data, balance: Decimal, *, mistake: bool) -> Decimal:
    """Draw an amount to apply: the whole balance or part of it, or (a mistake) more than is left."""
    if mistake:
        return balance + money(data.draw(st.integers(1, 500), label="over by"))
    if balance <= CENT or data.draw(st.booleans(), label="in full"):
        return max(balance, CENT)
    return money(data.draw(st.integers(1, int(balance / CENT) - 1), label="part"))


# kind -> (the machine's list of them, which of them may be voided, how to void one). Payments come
# first: hypothesis draws early choices more often, and their voids restore balances and credits.
VOIDS = {
    "payment": ("payments", lambda p: p.status == "applied", lambda d, **kw: payment_void(payment=d, **kw)),
    "AP payment": (
        "ap_payments",
        lambda p: p.status == "applied",
        lambda d, **kw: ap_payment_void(payment=d, **kw),
    ),
    "credit": ("credits", lambda c: c.status == "open", lambda d, **kw: vendor_credit_void(credit=d, **kw)),
    "invoice": ("invoices", lambda i: i.status == "open", lambda d, **kw: invoice_void(invoice=d, **kw)),
    "bill": ("bills", lambda b: b.status == "open", lambda d, **kw: vendor_bill_void(bill=d, **kw)),
}


class MoneyMachine(RuleBasedStateMachine):
    """One fresh entity per example, two customers and two vendors, and every money operation."""

    # What the runs did, across examples: proof that the property was exercised, not vacuous.
    seen: Counter = Counter()

    def __init__(self):
        super().__init__()
        self.entity = EntityFactory()
        self.customers = [CustomerFactory(entity=self.entity) for _ in range(2)]
        self.vendors = [VendorFactory(entity=self.entity) for _ in range(2)]
        self.invoices: list[Invoice] = []
        self.payments: list[Payment] = []
        self.bills: list[VendorBill] = []
        self.credits: list[VendorCredit] = []
        self.ap_payments: list[APPayment] = []

    def attempt(self, what: str, call):
        """Run a service call; a refusal by the rules is fine and must leave nothing behind."""
        before = self.footprint()
        try:
            result = call()
        except FolioError as refusal:
            assert self.footprint() == before, f"{refusal.code} left something behind"
            self.seen[f"refused: {what}: {refusal.code}"] += 1
            return None
        self.seen[what] += 1
        return result

    def footprint(self) -> tuple:
        """Return what any money call changes: rows written, statuses, balances, credit left."""
        mine = {"entity": self.entity}
        voided = Count("pk", filter=Q(status__in=["void", "voided", "expired"]))
        return (
            JournalEntry.objects.filter(**mine).count(),
            IssuedNumber.objects.filter(**mine).count(),
            PaymentApplication.objects.filter(payment__entity=self.entity).count(),
            VendorCreditApplication.objects.filter(payment__entity=self.entity).count(),
            *(
                model.objects.filter(**mine).aggregate(rows=Count("pk"), voided=voided, **sums)
                for model, sums in (
                    (Payment, {}),
                    (APPayment, {}),
                    (Invoice, {"due": Sum("balance_due")}),
                    (VendorBill, {"due": Sum("balance_due")}),
                    (VendorCredit, {"left": Sum("remaining_amount"), "expired": Sum("expired_amount")}),
                )
            ),
        )

    def usable_now(self, objects: list, usable, *, mistake: bool) -> list:
        """Return `objects` fresh from the database: the usable ones, or all of them for a mistake."""
        if not objects:
            return []
        by_pk = type(objects[0]).objects.in_bulk([o.pk for o in objects])
        fresh = [by_pk[o.pk] for o in objects]
        return fresh if mistake else [o for o in fresh if usable(o)]

    def pick(self, data, objects: list, usable, *, mistake: bool, label: str, many: bool = False):
        """Draw one (or 1–3) of `objects` usable now, any of them when making a mistake; None if none."""
        pool = self.usable_now(objects, usable, mistake=mistake)
        if not pool:
            return None
        if not many:
            return data.draw(st.sampled_from(pool), label=label)
        return data.draw(
            st.lists(st.sampled_from(pool), min_size=1, max_size=3, unique=not mistake), label=label
        )

    def draw_a_payment(self, data, parties: list, documents: list, *, party_field: str, label: str):
        """Draw (mistake, method, party, 1–3 of its open documents or None) for a payment to make."""
        mistake = data.draw(MISTAKE, label="mistake")
        method = data.draw(st.sampled_from(["ach", "check", "cash", "wire"]), label="method")
        party = data.draw(st.sampled_from(parties), label="party")
        chosen = self.pick(
            data,
            documents,
            lambda d: getattr(d, party_field) == party.pk and d.status in ("open", "partially_paid"),
            mistake=mistake,
            label=label,
            many=True,
        )
        return mistake, method, party, chosen

    @initialize(data=st.data())
    def open_the_books(self, data):
        # A few open documents from the first step, so payments are possible at once.
        for _ in range(data.draw(st.integers(4, 8), label="documents")):
            self.add_a_document(data)

    @rule(data=st.data())
    def add_a_document(self, data):
        kind = data.draw(st.sampled_from(["invoice", "bill", "credit"]), label="kind")
        party = data.draw(st.integers(0, 1), label="customer or vendor")
        cents = data.draw(st.lists(CENTS, min_size=1, max_size=3), label="amounts")
        if kind == "invoice":
            self.invoices.append(
                invoice_create(
                    entity=self.entity,
                    customer_id=self.customers[party].pk,
                    invoice_date=DOCUMENT_DATE,
                    lines=[LineInput(description="Work", unit_price=money(c)) for c in cents],
                )
            )
        elif kind == "bill":
            self.bills.append(
                vendor_bill_create(
                    entity=self.entity,
                    vendor_id=self.vendors[party].pk,
                    bill_date=DOCUMENT_DATE,
                    lines=[LineInput(description="Goods", unit_price=money(c)) for c in cents],
                )
            )
        else:
            expires = data.draw(st.booleans(), label="expires")
            credit, created = vendor_credit_issue(
                entity=self.entity,
                vendor_id=self.vendors[party].pk,
                amount=money(sum(cents)),
                expires_at=timezone.now() + datetime.timedelta(days=30) if expires else None,
            )
            assert created
            self.credits.append(credit)
        self.seen[kind] += 1

    @precondition(lambda self: self.invoices)
    @rule(data=st.data())
    def pay_invoices(self, data):
        mistake, method, customer, chosen = self.draw_a_payment(
            data, self.customers, self.invoices, party_field="customer_id", label="invoices"
        )
        if chosen is None:
            return
        applications = [
            ApplicationInput(document_id=i.pk, amount_applied=share_of(data, i.balance_due, mistake=mistake))
            for i in chosen
        ]
        payment = self.attempt(
            "customer payment",
            lambda: payment_apply_to_invoices(
                entity=self.entity,
                customer_id=customer.pk,
                payment_method=method,
                amount=sum((a.amount_applied for a in applications), ZERO),
                applications=applications,
            ),
        )
        if payment is not None:
            self.payments.append(payment)

    @precondition(lambda self: any(credit.expires_at for credit in self.credits))
    @rule(data=st.data())
    def let_a_credit_expire(self, data):
        # Time passes for one credit: it expires as of its own expires_at (what the nightly job does).
        credit = data.draw(st.sampled_from([c for c in self.credits if c.expires_at]), label="credit")
        if vendor_credit_expire(credit=credit, as_of=credit.expires_at):
            self.seen["credit expiry"] += 1

    @precondition(lambda self: self.bills)
    @rule(data=st.data())
    def pay_bills(self, data):
        mistake, method, vendor, bills = self.draw_a_payment(
            data, self.vendors, self.bills, party_field="vendor_id", label="bills"
        )
        if bills is None:
            return
        applications = [
            ApplicationInput(document_id=b.pk, amount_applied=share_of(data, b.balance_due, mistake=mistake))
            for b in bills
        ]
        total = sum((a.amount_applied for a in applications), ZERO)
        credits, cash = [], total
        if data.draw(st.booleans(), label="with credit"):
            usable = lambda c: c.vendor_id == vendor.pk and c.status in ("open", "partially_applied")  # noqa: E731
            credits = self.pick(data, self.credits, usable, mistake=mistake, label="credits", many=True) or []
            left = sum((c.remaining_amount for c in credits), ZERO)
            # The cash leaves some or all of the listed credit to spend (a mistake may leave too much).
            cash = max(ZERO, total - money(data.draw(st.integers(0, int(left / CENT)), label="credit part")))
        payment = self.attempt(
            "AP payment with credit" if cash < total else "AP payment",
            lambda: ap_payment_create(
                entity=self.entity,
                vendor_id=vendor.pk,
                method=method,
                amount=cash,
                applications=applications,
                vendor_credit_ids=list(dict.fromkeys(c.pk for c in credits)),
            ),
        )
        if payment is not None:
            self.ap_payments.append(payment)

    @rule(data=st.data())
    def void_a_document(self, data):
        # A mistake voids something already void, paid, or spent: the rules must refuse it.
        mistake = data.draw(MISTAKE, label="mistake")
        candidates = {
            kind: self.usable_now(getattr(self, attribute), usable, mistake=mistake)
            for kind, (attribute, usable, _) in VOIDS.items()
        }
        # Kinds not voided yet in this run come first (hypothesis draws early choices more often), so
        # every kind of void is exercised whatever path the documents and payments before it took.
        kinds = sorted(
            (kind for kind, documents in candidates.items() if documents),
            key=lambda kind: self.seen[f"{kind} void"] > 0,
        )
        if not kinds:
            return
        kind = data.draw(st.sampled_from(kinds), label="kind")
        document = data.draw(st.sampled_from(candidates[kind]), label=kind)
        self.attempt(f"{kind} void", lambda: VOIDS[kind][2](document, reason="property test"))

    def teardown(self):
        # Which kinds of void the random steps reached depends on the path hypothesis happened to take
        # (it differed between machines with the same seed): each example ends by voiding one document
        # of every kind it can, and the invariants are checked once more after those voids.
        for kind, (attribute, usable, void) in VOIDS.items():
            candidates = self.usable_now(getattr(self, attribute), usable, mistake=False)
            if candidates:
                last = candidates[-1]
                self.attempt(f"{kind} void", partial(void, last, reason="end of the run"))
        for name in INVARIANTS:
            getattr(self, name)()

    # Invariants, checked after every step

    @invariant()
    def every_invoice_owes_its_total_less_what_applied_payments_applied(self):
        applied = Sum(
            "applications__amount_applied", filter=Q(applications__payment__status=Payment.Status.APPLIED)
        )
        for invoice in Invoice.objects.filter(entity=self.entity).annotate(applied=applied):
            applied_total = invoice.applied or ZERO
            assert invoice.balance_due >= 0, invoice.number
            if invoice.status == Invoice.Status.VOID:
                assert (invoice.balance_due, applied_total) == (ZERO, ZERO), invoice.number
            else:
                assert invoice.balance_due == invoice.total - applied_total, invoice.number

    @invariant()
    def every_bill_owes_its_total_less_what_applied_payments_applied(self):
        applied = Sum("applications__amount_applied", filter=Q(applications__payment__status="applied"))
        for bill in VendorBill.objects.filter(entity=self.entity).annotate(applied=applied):
            applied_total = bill.applied or ZERO
            assert bill.balance_due >= 0, bill.number
            if bill.status == VendorBill.Status.VOID:
                assert (bill.balance_due, applied_total) == (ZERO, ZERO), bill.number
            else:
                assert bill.balance_due == bill.total - applied_total, bill.number

    @invariant()
    def every_credit_is_what_is_left_plus_what_expired_plus_what_was_spent(self):
        spent_by = dict(
            VendorCreditApplication.objects.filter(
                vendor_credit__entity=self.entity, payment__status=APPayment.Status.APPLIED
            )
            .values_list("vendor_credit_id")
            .annotate(spent=Sum("amount"))
        )
        for credit in VendorCredit.objects.filter(entity=self.entity):
            spent = spent_by.get(credit.pk, ZERO)
            assert credit.remaining_amount >= 0 and credit.expired_amount >= 0, credit.credit_number
            if credit.status == VendorCredit.Status.VOIDED:
                assert (credit.remaining_amount, spent) == (ZERO, ZERO), credit.credit_number
            else:
                assert credit.amount - credit.remaining_amount - credit.expired_amount == spent, (
                    credit.credit_number
                )
            if credit.status == VendorCredit.Status.EXPIRED:
                assert credit.remaining_amount == ZERO, credit.credit_number

    @invariant()
    def every_payment_equals_its_applications(self):
        assert not (
            Payment.objects.filter(entity=self.entity)
            .annotate(applied=Sum("applications__amount_applied"))
            .exclude(amount=F("applied"))
            .exists()
        )
        for payment in APPayment.objects.filter(entity=self.entity):
            applied = payment.applications.aggregate(total=Sum("amount_applied"))["total"]
            spent = payment.credit_applications.aggregate(total=Sum("amount"))["total"] or ZERO
            assert (
                applied
                == payment.total_applied
                == payment.amount + spent
                == payment.amount + payment.credit_amount
            )

    @invariant()
    def the_books_balance_and_agree_with_the_documents(self):
        lines = JournalLine.objects.filter(entry__entity=self.entity)
        totals = lines.aggregate(debit=Sum("debit", default=ZERO), credit=Sum("credit", default=ZERO))
        assert totals["debit"] == totals["credit"]
        unbalanced = lines.values("entry").annotate(d=Sum("debit"), c=Sum("credit")).exclude(d=F("c"))
        assert not unbalanced.exists()
        open_invoices = Invoice.objects.filter(entity=self.entity).aggregate(
            s=Sum("balance_due", default=ZERO)
        )
        assert account_balance(entity=self.entity, code="accounts_receivable") == open_invoices["s"]
        open_bills = VendorBill.objects.filter(entity=self.entity).aggregate(
            s=Sum("balance_due", default=ZERO)
        )
        assert -account_balance(entity=self.entity, code="accounts_payable") == open_bills["s"]
        left = VendorCredit.objects.filter(entity=self.entity).aggregate(
            s=Sum("remaining_amount", default=ZERO)
        )
        assert account_balance(entity=self.entity, code="vendor_returns_receivable") == left["s"]

    @invariant()
    def every_number_is_taken_once_and_the_audit_is_clean(self):
        for model, name in (
            (Invoice, "number"),
            (VendorBill, "number"),
            (VendorCredit, "credit_number"),
            (APPayment, "number"),
            (JournalEntry, "number"),
        ):
            counts = model.objects.filter(entity=self.entity).aggregate(
                rows=Count("pk"),
                numbers=Count(name, distinct=True),
                blank=Count("pk", filter=Q(**{name: ""})),
            )
            assert counts["rows"] == counts["numbers"] and counts["blank"] == 0, model.__name__
        assert entity_audit(entity=self.entity)["ok"] is True


INVARIANTS = [name for name in vars(MoneyMachine) if name.startswith(("every_", "the_books"))]


@pytest.mark.django_db(transaction=True)
def test_money_invariants_hold_whatever_the_order_of_operations():
    run_state_machine_as_test(
        MoneyMachine,
        settings=settings(
            max_examples=20,
            stateful_step_count=25,
            deadline=None,
            derandomize=True,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
        ),
    )
    # The property was exercised, not vacuous: every operation succeeded and the rules refused some.
    seen = MoneyMachine.seen
    done = {"customer payment", "payment void", "invoice void", "AP payment", "AP payment with credit"}
    done |= {"AP payment void", "bill void", "credit void", "credit expiry"}
    assert done <= set(seen), repr((done - set(seen), dict(seen)))
    assert len([what for what in seen if what.startswith("refused: ")]) >= 5, repr(dict(seen))
