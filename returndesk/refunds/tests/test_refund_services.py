"""Refunds through the service: what the default pays under the policy and the return's facts,
explicit amounts within the caps, several refunds per return, exact money in JPY and KWD, the
running totals, holds, request keys, and a re-import after a refund.

The default order: L1, two lamps paid 36.00; L2, a cable paid 24.00; shipping 5.00; one card
payment of 65.00; the buyer in Madrid (an EU buyer), delivered three days before NOW."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest

from returndesk.core.actors import Actor, ActorKind, StaffRole
from returndesk.core.errors import ForbiddenAction, InvalidTransition
from returndesk.marketplace.errors import OrderConflict
from returndesk.marketplace.models import Order, OrderLine, Payment
from returndesk.marketplace.schemas import OrderIn
from returndesk.marketplace.services import order_import
from returndesk.policies.domain.reasons import Reason
from returndesk.refunds.errors import ExceedsRefundable, LineNotAccepted, NothingToRefund, ZeroAmount
from returndesk.refunds.models import Refund, RefundTransaction
from returndesk.refunds.services import LineAmount, refund_create, return_keep, return_refund
from returndesk.refunds.tests.conftest import LATER, US_BUYER, seller_of, seller_policy
from returndesk.returns.domain.lifecycle import Resolution, Status
from returndesk.returns.domain.requests import RequestedLine
from returndesk.returns.errors import LineNotInReturn
from returndesk.returns.models import Return, ReturnEvent, ReturnLine
from returndesk.scenarios.journeys import return_opened
from returndesk.scenarios.payloads import line_payload, order_payload
from returndesk.testing import Keys

pytestmark = pytest.mark.django_db

FEES = {
    "restocking_fee_percent": Decimal(10),
    "return_shipping_fee": {"EUR": Decimal("4.99")},
    "free_window_days": 0,
}


def refund(ret: Return, key: str = "k1", **kwargs: Any) -> Return:
    return return_refund(actor=seller_of(ret), code=ret.code, request_key=key, **kwargs)


def breakdown(ret: Return) -> list[dict[str, Any]]:
    """Each refund of the return as the ledger wrote it, oldest first."""
    return [
        {
            "kind": row.kind,
            "lines": [
                (
                    line.return_line.order_line.external_id,
                    str(line.paid_share),
                    str(line.restocking_fee),
                    str(line.return_shipping_fee),
                    str(line.amount),
                )
                for line in row.lines.order_by("id")
            ],
            "shipping": str(row.shipping_amount),
            "total": str(row.total),
            "transactions": [(t.payment.method, str(t.amount), t.status) for t in row.transactions.order_by("id")],
        }
        for row in Refund.objects.filter(return_request=ret).order_by("id")
    ]


def totals(order: Order) -> dict[str, Any]:
    """Every running total of the order and its returns, as stored."""
    order.refresh_from_db()
    return {
        "order": (str(order.refunded), str(order.shipping_refunded)),
        "lines": {line.external_id: str(line.refunded) for line in OrderLine.objects.filter(order=order)},
        "payments": [str(payment.refunded) for payment in Payment.objects.filter(order=order).order_by("id")],
        "returns": [
            (str(ret.refunded), str(ret.shipping_refunded)) for ret in Return.objects.filter(order=order).order_by("id")
        ],
        "return_lines": [
            str(line.refunded) for line in ReturnLine.objects.filter(return_request__order=order).order_by("id")
        ],
    }


def test_the_default_refund_of_a_seller_fault_line_pays_its_share_and_the_shipping_share(inspected) -> None:
    ret = inspected()

    after = refund(ret)

    assert (after.status, after.resolution) == (Status.REFUNDING, Resolution.REFUND)
    # 18.00 for one of two lamps; the shipping's 5.00 in proportion: 5.00 x 18/60 = 1.50.
    assert breakdown(ret) == [
        {
            "kind": "refund",
            "lines": [("L1", "18.0000", "0.0000", "0.0000", "18.0000")],
            "shipping": "1.5000",
            "total": "19.5000",
            "transactions": [("card", "19.5000", "pending")],
        }
    ]
    assert totals(ret.order) == {
        "order": ("19.5000", "1.5000"),
        "lines": {"L1": "18.0000", "L2": "0.0000"},
        "payments": ["19.5000"],
        "returns": [("19.5000", "1.5000")],
        "return_lines": ["18.0000"],
    }
    event = ReturnEvent.objects.filter(return_request=ret).latest("id")
    refund_id = Refund.objects.get(return_request=ret).pk
    assert (event.action, event.to_status, event.data) == (
        "refund",
        "refunding",
        {"refund": refund_id, "kind": "refund", "total": "19.50", "currency": "EUR"},
    )


def test_a_non_eu_changed_mind_pays_the_restocking_fee(make_order, inspected) -> None:
    order = make_order(buyer=US_BUYER)
    seller_policy(**FEES)
    ret = inspected(order=order, lines=[("L1", 1, "changed_mind")])

    refund(ret)

    # 18.00 - 10 % restocking - the 4.99 return shipping fee; no shipping back on the buyer's choice.
    assert breakdown(ret)[0]["lines"] == [("L1", "18.0000", "1.8000", "4.9900", "11.2100")]
    assert breakdown(ret)[0]["total"] == "11.2100"


def test_an_eu_withdrawal_pays_no_restocking_fee(make_order, inspected) -> None:
    order = make_order()
    seller_policy(**FEES)
    ret = inspected(order=order, lines=[("L1", 1, "changed_mind")])
    assert ret.eu_withdrawal

    refund(ret)

    assert breakdown(ret)[0]["lines"] == [("L1", "18.0000", "0.0000", "4.9900", "13.0100")]


def test_a_whole_order_withdrawal_gets_all_the_shipping_back(make_order, inspected) -> None:
    order = make_order()
    seller_policy(**FEES)
    ret = inspected(order=order, lines=[("L1", 2, "changed_mind"), ("L2", 1, "changed_mind")])

    refund(ret)

    # The 4.99 fee spread over 36.00 and 24.00; the order's 5.00 shipping back whole.
    assert breakdown(ret)[0]["lines"] == [
        ("L1", "36.0000", "0.0000", "2.9900", "33.0100"),
        ("L2", "24.0000", "0.0000", "2.0000", "22.0000"),
    ]
    assert (breakdown(ret)[0]["shipping"], breakdown(ret)[0]["total"]) == ("5.0000", "60.0100")


def test_several_refunds_per_return_up_to_the_paid_share(inspected) -> None:
    ret = inspected()

    first = refund(ret, "k1", lines=[LineAmount("L1", Decimal("10.00"))])
    second = refund(ret, "k2")
    third = refund(ret, "k3", lines=[LineAmount("L1", Decimal("0"))], shipping_amount=Decimal("3.50"))

    assert [first.resolution, second.resolution, third.resolution] == [
        Resolution.PARTIAL_REFUND,
        Resolution.REFUND,
        Resolution.REFUND,
    ]
    assert [row["total"] for row in breakdown(ret)] == ["10.0000", "9.5000", "3.5000"]
    assert totals(ret.order)["returns"] == [("23.0000", "5.0000")]
    with pytest.raises(NothingToRefund):
        refund(ret, "k4")
    with pytest.raises(ExceedsRefundable) as refused:
        refund(ret, "k5", lines=[LineAmount("L1", Decimal("0.01"))])
    assert refused.value.errors == [
        {
            "loc": ["body", "lines", 0, "amount"],
            "line": "L1",
            "msg": "0.01 EUR is more than the 0.00 EUR left to refund for line 'L1'.",
            "remaining": "0.00",
        }
    ]


def test_a_refund_refused_writes_nothing(inspected) -> None:
    ret = inspected()
    before = totals(ret.order)

    for amounts, error in (
        ({"lines": [LineAmount("L1", Decimal("18.01"))]}, ExceedsRefundable),
        ({"lines": [LineAmount("L2", Decimal("1"))]}, LineNotInReturn),
        ({"lines": [LineAmount("L1", Decimal("0"))]}, ZeroAmount),
    ):
        with pytest.raises(error):
            refund(ret, **amounts)

    assert (totals(ret.order), Refund.objects.count(), Return.objects.get(pk=ret.pk).status) == (
        before,
        0,
        Status.INSPECTED,
    )


def test_a_rejected_line_is_refunded_by_an_agent_only(inspected, keys: Keys) -> None:
    ret = inspected(lines=[("L1", 1, "defective")], rejected=("L1",))

    with pytest.raises(LineNotAccepted):
        refund(ret, lines=[LineAmount("L1", Decimal("5.00"))])
    after = return_refund(
        actor=keys.actors["agent"], code=ret.code, lines=[LineAmount("L1", Decimal("5.00"))], request_key="a1"
    )

    # Its full default is nothing (no line was accepted): any refund reaches it.
    assert (after.status, after.resolution) == (Status.REFUNDING, Resolution.REFUND)


def test_warehouse_staff_may_not_refund(inspected) -> None:
    ret = inspected()
    warehouse = Actor(
        kind=ActorKind.SELLER_USER, id="7", seller_id=ret.seller_id, staff_role=StaffRole.SELLER_WAREHOUSE
    )

    with pytest.raises(ForbiddenAction):
        return_refund(actor=warehouse, code=ret.code, request_key="w1")
    assert Refund.objects.count() == 0


def test_a_return_not_yet_inspected_is_not_refunded(make_return) -> None:
    ret = make_return()

    with pytest.raises(InvalidTransition):
        refund(ret)


@pytest.mark.parametrize(
    ("currency", "paid", "shipping", "expected"),
    [
        # Three units of a line paid 1000 JPY, returned one by one: 333, 333, 334 (no yen made or lost).
        ("JPY", "1000", "0", ["333", "333", "334"]),
        ("KWD", "10.001", "0.000", ["3.333", "3.334", "3.334"]),
    ],
)
def test_unit_by_unit_refunds_add_up_to_what_was_paid_exactly(  # noqa: PLR0917 (pytest passes them)
    make_order, inspected, currency: str, paid: str, shipping: str, expected: list[str]
) -> None:
    order = make_order(
        currency=currency,
        shipping_amount=shipping,
        lines=[line_payload("L1", quantity=3, unit_price=paid, paid_amount=paid)],
    )
    returns = [inspected(order=order) for _ in range(3)]

    for ret in returns:
        refund(ret)

    assert [row["total"] for ret in returns for row in breakdown(ret)] == [
        str(Decimal(amount).quantize(Decimal("0.0001"))) for amount in expected
    ]
    assert totals(order)["lines"] == {"L1": str(Decimal(paid).quantize(Decimal("0.0001")))}
    assert totals(order)["payments"] == [str(Decimal(paid).quantize(Decimal("0.0001")))]


def test_the_total_is_drawn_from_the_payments_in_import_order(make_order, inspected) -> None:
    order = make_order(payments=[{"method": "gift_card", "amount": "10.00"}, {"method": "card", "amount": "55.00"}])
    ret = inspected(order=order, lines=[("L1", 2, "defective")])

    refund(ret)

    # 36.00 + 3.00 of shipping: the gift card's 10.00 first, the card's 29.00 after.
    assert breakdown(ret)[0]["transactions"] == [("gift_card", "10.0000", "pending"), ("card", "29.0000", "pending")]


def test_a_refund_above_the_policys_threshold_is_held(make_order, inspected) -> None:
    order = make_order()
    seller_policy(hold_refunds_above={"EUR": Decimal("19.49")})
    ret = inspected(order=order)

    refund(ret)

    assert breakdown(ret)[0]["transactions"] == [("card", "19.5000", "held")]
    assert ReturnEvent.objects.filter(return_request=ret, action="refund").get().data["held"] is True
    assert ReturnEvent.objects.filter(return_request=ret).latest("id").action == "refund_held"


def test_a_repeated_request_key_gets_the_first_refund(inspected) -> None:
    ret = inspected()
    first = refund_create(
        actor=seller_of(ret), code=ret.code, kind="refund", lines=None, shipping_amount=None, note="", request_key="r"
    )

    again = refund_create(
        actor=seller_of(ret),
        code=ret.code,
        kind="refund",
        lines=[LineAmount("L1", Decimal("1.00"))],
        shipping_amount=None,
        note="",
        request_key="r",
    )

    assert (again.pk, Refund.objects.count(), RefundTransaction.objects.count()) == (first.pk, 1, 1)


def test_keep_refunds_every_line_without_fees(make_order, keys: Keys) -> None:
    order = make_order(buyer=US_BUYER)
    seller_policy(**FEES)
    ret = return_opened(
        order=order,
        lines=[RequestedLine(line="L1", quantity=1, reason=Reason.CHANGED_MIND)],
        actor=keys.actors["platform"],
    )

    after = return_keep(actor=seller_of(ret), code=ret.code, note="Keep it")

    assert (after.status, after.resolution) == (Status.REFUNDING, Resolution.KEEP_ITEM)
    assert breakdown(ret) == [
        {
            "kind": "keep",
            "lines": [("L1", "18.0000", "0.0000", "0.0000", "18.0000")],
            "shipping": "0.0000",
            "total": "18.0000",
            "transactions": [("card", "18.0000", "pending")],
        }
    ]


def test_a_reimport_after_a_refund_keeps_the_ledger_intact(inspected) -> None:
    ret = inspected()
    refund(ret)
    before = totals(ret.order)
    payload = order_payload(external_id=ret.order.external_id, number="N-again")

    order, created = order_import(data=OrderIn.model_validate(payload).to_import(), now=LATER)

    assert (created, order.number, totals(order)) == (False, "N-again", before)


def test_a_reimport_lowering_a_payment_below_its_refunds_is_refused(inspected) -> None:
    ret = inspected(lines=[("L1", 2, "defective")])
    refund(ret)  # 36.00 + 3.00 of the card's 65.00
    payload = order_payload(
        external_id=ret.order.external_id,
        shipping_amount="5.00",
        payments=[{"method": "card", "amount": "38.99"}, {"method": "wallet", "amount": "26.01"}],
    )

    with pytest.raises(OrderConflict) as refused:
        order_import(data=OrderIn.model_validate(payload).to_import(), now=LATER)

    assert refused.value.detail == ("The card payment has 39.00 EUR refunded; a re-import cannot lower it below that.")
    assert str(Payment.objects.get(order=ret.order).amount) == "65.0000"


def test_three_returns_of_one_order_share_the_order_lines_cap(make_order, inspected) -> None:
    order: Order = make_order(lines=[line_payload("L1", quantity=3, unit_price="10.00")], shipping_amount="0.00")
    returns = [inspected(order=order) for _ in range(3)]

    for ret in returns:
        refund(ret)

    assert totals(order)["lines"] == {"L1": "30.0000"}
    assert totals(order)["return_lines"] == ["10.0000", "10.0000", "10.0000"]
