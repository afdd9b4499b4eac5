"""A stateful walk over the ledger on the database: several returns of one order, refunds by
default and of amounts drawn at random (some over their caps), and cancels of live transactions.
After every step no cap is passed and every running total equals what the live transactions pay.

Cancels go through ``refund_totals_release`` under the order's and the return's locks, as the
transactions' cancel does."""

from __future__ import annotations

import contextlib
from decimal import Decimal

import pytest
from django.db import transaction
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.stateful import RuleBasedStateMachine, initialize, invariant, precondition, rule

from returndesk.core import money
from returndesk.core.errors import ReturndeskError
from returndesk.marketplace.locks import order_lock
from returndesk.marketplace.models import Order, OrderLine, Payment
from returndesk.policies.domain.reasons import Reason
from returndesk.refunds.domain.states import LIVE, TransactionStatus
from returndesk.refunds.models import Refund, RefundLine, RefundTransaction
from returndesk.refunds.services import LineAmount, refund_totals_release, return_refund
from returndesk.refunds.tests.conftest import inspect, seller_of
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.domain.requests import RequestedLine
from returndesk.returns.models import Return, ReturnLine
from returndesk.scenarios.journeys import PLATFORM, order_placed, return_opened, return_to
from returndesk.scenarios.payloads import NOW, line_payload

pytestmark = pytest.mark.django_db

CURRENCIES = {"JPY": ("997", "13"), "EUR": ("59.99", "4.99"), "KWD": ("10.001", "1.250")}


def minor(amount: Decimal, currency: str) -> int:
    return money.to_minor(Decimal(amount), currency)


class LedgerWalk(RuleBasedStateMachine):
    order: Order
    returns: list[Return]
    keys = 0

    @initialize(currency=st.sampled_from(sorted(CURRENCIES)), split=st.integers(min_value=0, max_value=100))
    def an_order_with_three_returns(self, currency: str, split: int) -> None:
        paid, shipping = (Decimal(value) for value in CURRENCIES[currency])
        lines = [
            line_payload("L1", quantity=3, unit_price=str(paid), paid_amount=str(paid)),
            line_payload("L2", quantity=1, unit_price=str(paid), paid_amount=str(paid)),
        ]
        total = minor(paid * 2 + shipping, currency)
        first = total * split // 100
        payments = [
            {"method": method, "amount": str(money.from_minor(part, currency))}
            for method, part in (("gift_card", first), ("card", total - first))
            if part
        ]
        self.order = order_placed(currency=currency, shipping_amount=str(shipping), lines=lines, payments=payments)
        requested = (
            [("L1", 1, Reason.DEFECTIVE)],
            [("L1", 2, Reason.CHANGED_MIND)],
            [("L2", 1, Reason.NOT_AS_DESCRIBED)],
        )
        self.returns = []
        for lines_asked in requested:
            ret = return_opened(
                order=self.order,
                lines=[RequestedLine(line=line, quantity=units, reason=reason) for line, units, reason in lines_asked],
                actor=PLATFORM,
                now=NOW,
            )
            self.returns.append(inspect(return_to(ret, Status.RECEIVED, now=NOW)))

    def _refund(self, ret: Return, **amounts: object) -> None:
        self.keys += 1
        # A refusal writes nothing; the invariants check that too.
        with contextlib.suppress(ReturndeskError):
            return_refund(actor=seller_of(ret), code=ret.code, request_key=f"walk-{self.keys}", **amounts)  # type: ignore[arg-type]

    @rule(which=st.integers(min_value=0, max_value=2))
    def refund_by_default(self, which: int) -> None:
        self._refund(self.returns[which])

    @rule(which=st.integers(min_value=0, max_value=2), share=st.integers(0, 120), shipping=st.integers(0, 60))
    def refund_amounts(self, which: int, share: int, shipping: int) -> None:
        ret = self.returns[which]
        currency = self.order.currency
        lines = [
            LineAmount(
                line.order_line.external_id, money.from_minor(minor(line.paid_share, currency) * share // 100, currency)
            )
            for line in ret.lines.select_related("order_line")
        ]
        self._refund(
            ret,
            lines=lines,
            shipping_amount=money.from_minor(minor(self.order.shipping_amount, currency) * shipping // 100, currency),
        )

    @precondition(lambda self: RefundTransaction.objects.filter(refund__return_request__order=self.order).exists())
    @rule(data=st.data())
    def cancel_a_live_transaction(self, data: st.DataObject) -> None:
        live = list(
            RefundTransaction.objects.filter(refund__return_request__order=self.order)
            .exclude(status=TransactionStatus.CANCELLED)
            .order_by("id")
        )
        if not live:
            return
        row = data.draw(st.sampled_from(live))
        with transaction.atomic():
            order = order_lock(external_id=self.order.external_id)
            assert order is not None
            refund = Refund.objects.get(pk=row.refund_id)
            ret = Return.objects.select_for_update().get(pk=refund.return_request_id)
            row = RefundTransaction.objects.get(pk=row.pk)
            row.status = TransactionStatus.CANCELLED
            row.save(update_fields=["status"])
            refund_totals_release(ret=ret, order=order, refund=refund, cancelled=[row])
            ret.save(update_fields=["refunded", "shipping_refunded"])

    @invariant()
    def the_totals_are_the_live_transactions_within_every_cap(self) -> None:
        if not hasattr(self, "order"):
            return
        currency = self.order.currency
        order = Order.objects.get(pk=self.order.pk)
        live = list(
            RefundTransaction.objects.filter(refund__return_request__order=order, status__in=[str(s) for s in LIVE])
        )
        payments = list(Payment.objects.filter(order=order))
        for payment in payments:
            drawn = sum(minor(row.amount, currency) for row in live if row.payment_id == payment.pk)
            assert minor(payment.refunded, currency) == drawn <= minor(payment.amount, currency)
        assert minor(order.refunded, currency) == sum(minor(row.amount, currency) for row in live)
        assert minor(order.shipping_refunded, currency) <= minor(order.shipping_amount, currency)
        returns = list(Return.objects.filter(order=order))
        assert sum(minor(ret.refunded, currency) for ret in returns) == minor(order.refunded, currency)
        assert sum(minor(ret.shipping_refunded, currency) for ret in returns) == minor(
            order.shipping_refunded, currency
        )
        return_lines = list(ReturnLine.objects.filter(return_request__order=order))
        for line in return_lines:
            assert 0 <= minor(line.refunded, currency) <= minor(line.paid_share, currency)
        for order_line in OrderLine.objects.filter(order=order):
            held = sum(minor(line.refunded, currency) for line in return_lines if line.order_line_id == order_line.pk)
            assert minor(order_line.refunded, currency) == held <= minor(order_line.paid_amount, currency)
        for ret in returns:
            lines = sum(minor(line.refunded, currency) for line in return_lines if line.return_request_id == ret.pk)
            assert minor(ret.refunded, currency) == lines + minor(ret.shipping_refunded, currency)
        # A refund whose transactions all live holds its whole lines: nothing was freed from it.
        for refund in Refund.objects.filter(return_request__order=order):
            if all(row.status != TransactionStatus.CANCELLED for row in refund.transactions.all()):
                lines_total = sum(minor(line.amount, currency) for line in RefundLine.objects.filter(refund=refund))
                assert lines_total + minor(refund.shipping_amount, currency) == minor(refund.total, currency)


def test_the_ledger_never_passes_a_cap(db: None) -> None:
    LedgerWalk.TestCase.settings = settings(max_examples=6, stateful_step_count=20, deadline=None)
    LedgerWalk.TestCase().runTest()
