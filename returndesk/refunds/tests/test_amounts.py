"""The refund ledger's amounts, pure: defaults, caps, explicit amounts, offers, payment draws and
the resolution, in integer minor units of currencies with 0, 2, 3 and 4 decimals."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from returndesk.core import money
from returndesk.policies.domain.policy import ReturnPolicy
from returndesk.policies.domain.reasons import Reason
from returndesk.refunds.domain import amounts
from returndesk.refunds.domain.amounts import LineMoney, Plan, PlannedLine, ReturnMoney
from returndesk.refunds.domain.states import RefundKind, TransactionStatus, refund_status
from returndesk.refunds.errors import ExceedsRefundable, LineNotAccepted, NothingToRefund, ZeroAmount
from returndesk.returns.domain.lifecycle import Resolution
from returndesk.returns.errors import DuplicateLine, LineNotInReturn

# One currency per exponent the issue names: 0, 2, 3 and 4 decimals.
CURRENCIES = ("JPY", "EUR", "KWD", "CLF")


def test_the_currencies_cover_each_exponent() -> None:
    assert [money.exponent(currency) for currency in CURRENCIES] == [0, 2, 3, 4]


def line(name: str = "L1", **fields: Any) -> LineMoney:
    values: dict[str, Any] = {
        "line": name,
        "quantity": 1,
        "reason": Reason.DEFECTIVE,
        "paid_share": 1800,
        "rejected": False,
        "refunded": 0,
        "order_line_left": 3600,
    }
    return LineMoney(**(values | fields))


def facts(*lines: LineMoney, **fields: Any) -> ReturnMoney:
    values: dict[str, Any] = {
        "currency": "EUR",
        "lines": lines or (line(),),
        "policy": ReturnPolicy(),
        "free": False,
        "eu_withdrawal": False,
        "order_shipping": 500,
        "order_paid_total": 6000,
        "order_shipping_refunded": 0,
        "shipping_refunded": 0,
        "leaves_order_returned": False,
    }
    return ReturnMoney(**(values | fields))


FEES = ReturnPolicy(
    restocking_fee_percent=Decimal(10), return_shipping_fee={"EUR": Decimal("4.99")}, free_window_days=0
)


# --- Defaults ----------------------------------------------------------------------------------


def test_a_buyers_choice_line_pays_the_restocking_and_the_return_shipping_fee() -> None:
    plan = amounts.refund_default(facts(line(reason=Reason.CHANGED_MIND), policy=FEES), RefundKind.REFUND)

    assert plan == Plan((PlannedLine("L1", 1, 1800, 180, 499, 1121),), 0)


def test_an_eu_withdrawal_pays_no_restocking_fee() -> None:
    plan = amounts.refund_default(
        facts(line(reason=Reason.CHANGED_MIND), policy=FEES, eu_withdrawal=True), RefundKind.REFUND
    )

    assert plan.lines == (PlannedLine("L1", 1, 1800, 0, 499, 1301),)


def test_keep_charges_no_fee_and_covers_every_line() -> None:
    money_facts = facts(
        line(reason=Reason.CHANGED_MIND),
        line("L2", reason=Reason.CHANGED_MIND, rejected=True, paid_share=700),
        policy=FEES,
    )

    plan = amounts.refund_default(money_facts, RefundKind.KEEP)

    assert plan == Plan((PlannedLine("L1", 1, 1800, 0, 0, 1800), PlannedLine("L2", 1, 700, 0, 0, 700)), 0)


def test_a_seller_fault_line_gets_its_share_of_the_shipping() -> None:
    # 500 of shipping over 6000 paid: the line's 1800 carries 150.
    plan = amounts.refund_default(facts(), RefundKind.REFUND)

    assert (plan.total, plan.shipping) == (1950, 150)


def test_a_whole_order_withdrawal_gets_all_the_shipping_not_yet_refunded() -> None:
    money_facts = facts(
        line(reason=Reason.CHANGED_MIND),
        eu_withdrawal=True,
        leaves_order_returned=True,
        order_shipping_refunded=120,
    )

    assert amounts.refund_default(money_facts, RefundKind.REFUND).shipping == 380


def test_a_rejected_line_is_left_out_of_the_default() -> None:
    money_facts = facts(line(), line("L2", rejected=True))

    assert [planned.line for planned in amounts.refund_default(money_facts, RefundKind.REFUND).lines] == ["L1"]


def test_the_default_takes_off_what_live_refunds_hold() -> None:
    money_facts = facts(line(refunded=1000), shipping_refunded=150, order_shipping_refunded=150)

    assert amounts.refund_default(money_facts, RefundKind.REFUND) == Plan((PlannedLine("L1", 1, 1800, 0, 0, 800),), 0)


def test_the_default_stays_within_the_order_lines_cap() -> None:
    # Another return of the order drew on the same paid amount: only 500 is left of it.
    plan = amounts.refund_default(facts(line(order_line_left=500), order_shipping=0), RefundKind.REFUND)

    assert plan.total == 500


def test_nothing_left_to_refund_by_default_is_refused() -> None:
    with pytest.raises(NothingToRefund):
        amounts.refund_default(facts(line(refunded=1800), order_shipping=0), RefundKind.REFUND)


# --- Explicit amounts --------------------------------------------------------------------------


def test_explicit_amounts_up_to_each_cap() -> None:
    plan = amounts.refund_explicit(facts(line(refunded=800)), [("L1", 1000)], 500)

    assert (plan.total, plan.shipping, plan.lines[0].amount) == (1500, 500, 1000)


def test_every_amount_over_its_cap_is_named() -> None:
    with pytest.raises(ExceedsRefundable) as refused:
        amounts.refund_explicit(facts(line(refunded=800)), [("L1", 1001)], 501)

    assert refused.value.errors == [
        {
            "loc": ["body", "lines", 0, "amount"],
            "line": "L1",
            "msg": "10.01 EUR is more than the 10.00 EUR left to refund for line 'L1'.",
            "remaining": "10.00",
        },
        {
            "loc": ["body", "shipping_amount"],
            "line": None,
            "msg": "5.01 EUR is more than the 5.00 EUR left to refund for the shipping.",
            "remaining": "5.00",
        },
    ]


def test_a_total_of_zero_is_refused() -> None:
    with pytest.raises(ZeroAmount):
        amounts.refund_explicit(facts(), [("L1", 0)], None)


def test_a_line_not_in_the_return_is_refused() -> None:
    with pytest.raises(LineNotInReturn):
        amounts.refund_explicit(facts(), [("L9", 100)], None)


def test_a_line_named_twice_is_refused() -> None:
    with pytest.raises(DuplicateLine):
        amounts.refund_explicit(facts(), [("L1", 100), ("L1", 100)], None)


def test_only_an_agent_refunds_a_rejected_line() -> None:
    money_facts = facts(line(rejected=True))

    with pytest.raises(LineNotAccepted):
        amounts.refund_explicit(money_facts, [("L1", 100)], None)
    assert amounts.refund_explicit(money_facts, [("L1", 100)], None, agent=True).total == 100


# --- Offers ------------------------------------------------------------------------------------


def test_an_offer_is_spread_over_the_lines_by_their_caps() -> None:
    money_facts = facts(line(paid_share=1000), line("L2", paid_share=3000), line("L3", rejected=True))

    plan = amounts.offer_spread(money_facts, 1001)

    assert [(planned.line, planned.amount) for planned in plan.lines] == [("L1", 250), ("L2", 751)]
    assert (plan.shipping, amounts.offer_cap(money_facts)) == (0, 4000)


def test_an_offer_above_the_caps_is_refused() -> None:
    with pytest.raises(ExceedsRefundable):
        amounts.offer_spread(facts(), 1801)


# --- Payments ----------------------------------------------------------------------------------

payments = st.lists(st.integers(min_value=0, max_value=10**9), min_size=1, max_size=6)


@given(currency=st.sampled_from(CURRENCIES), left=payments, data=st.data())
def test_draws_are_exact_and_within_each_payment(currency: str, left: list[int], data: st.DataObject) -> None:
    total = data.draw(st.integers(min_value=0, max_value=sum(left)))

    draws = amounts.draw_payments(total, left)

    assert sum(draws) == total
    assert all(0 <= draw <= part for draw, part in zip(draws, left, strict=True))
    # In import order: a payment is drawn on only once those before it are used up.
    assert all(draws[i] == left[i] for i in range(len(draws)) if any(draws[i + 1 :]))
    # Exact in the currency: each draw is a whole number of its minor units, as a decimal.
    assert [money.to_minor(money.from_minor(draw, currency), currency) for draw in draws] == draws


def test_drawing_more_than_the_payments_have_left_is_refused() -> None:
    with pytest.raises(ExceedsRefundable):
        amounts.draw_payments(11, [5, 5])


@given(parts=st.lists(st.integers(min_value=0, max_value=10**6), min_size=1, max_size=6), data=st.data())
def test_live_parts_never_grow_as_more_is_cancelled(parts: list[int], data: st.DataObject) -> None:
    more = data.draw(st.integers(min_value=0, max_value=sum(parts)))
    less = data.draw(st.integers(min_value=0, max_value=more))

    after, before = amounts.live_parts(parts, less), amounts.live_parts(parts, more)

    assert (sum(after), sum(before)) == (less, more)
    assert all(0 <= a <= b <= part for a, b, part in zip(after, before, parts, strict=True))


@given(currency=st.sampled_from(CURRENCIES), data=st.data())
def test_explicit_amounts_within_the_caps_are_paid_exactly(currency: str, data: st.DataObject) -> None:
    shares = data.draw(st.lists(st.integers(min_value=1, max_value=10**7), min_size=1, max_size=4))
    money_facts = facts(
        *(line(f"L{i}", paid_share=share, order_line_left=share) for i, share in enumerate(shares)),
        currency=currency,
    )
    asked = [data.draw(st.integers(min_value=0, max_value=share)) for share in shares]
    shipping = data.draw(st.integers(min_value=0, max_value=500))
    if sum(asked) + shipping == 0:
        shipping = 1

    plan = amounts.refund_explicit(money_facts, [(f"L{i}", amount) for i, amount in enumerate(asked)], shipping)

    assert plan.total == sum(asked) + shipping
    assert [planned.amount for planned in plan.lines] == [amount for amount in asked if amount]


# --- Resolution and status ---------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kind", "current", "refunded", "expected"),
    [
        (RefundKind.KEEP, Resolution.NONE, 100, Resolution.KEEP_ITEM),
        (RefundKind.OFFER, Resolution.NONE, 5000, Resolution.PARTIAL_REFUND),
        (RefundKind.REFUND, Resolution.NONE, 1999, Resolution.PARTIAL_REFUND),
        (RefundKind.REFUND, Resolution.NONE, 2000, Resolution.REFUND),
        (RefundKind.REFUND, Resolution.PARTIAL_REFUND, 2000, Resolution.REFUND),
        (RefundKind.REFUND, Resolution.KEEP_ITEM, 2000, Resolution.KEEP_ITEM),
    ],
)
def test_resolution(kind: RefundKind, current: Resolution, refunded: int, expected: Resolution) -> None:
    assert amounts.resolution(kind, current, refunded=refunded, full_default=2000) is expected


def test_a_refund_held_above_the_threshold_only() -> None:
    assert [amounts.is_held(total, 1000) for total in (1000, 1001)] + [amounts.is_held(10**9, None)] == [
        False,
        True,
        False,
    ]


S = TransactionStatus


@pytest.mark.parametrize(
    ("statuses", "expected"),
    [
        ((S.SUCCEEDED, S.HELD, S.FAILED), S.HELD),
        ((S.SUCCEEDED, S.FAILED, S.PENDING), S.FAILED),
        ((S.SUCCEEDED, S.PENDING), S.PENDING),
        ((S.SUCCEEDED, S.CANCELLED), S.SUCCEEDED),
        ((S.CANCELLED,), S.CANCELLED),
    ],
)
def test_a_refunds_status_is_its_most_pressing_transactions(
    statuses: tuple[TransactionStatus, ...], expected: TransactionStatus
) -> None:
    assert refund_status(statuses) is expected
