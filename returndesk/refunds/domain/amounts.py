"""What a refund pays, line by line, and from which payments. Pure Python, integer minor units.

The return's facts were fixed as it opened (each line's paid share, whether the return is free,
an EU withdrawal) and its policy version's fees apply; the running totals say what live refunds
hold already. Every function here is exact: splits use ``policies.domain.advice.spread`` (floor
differences of cumulative products), so no minor unit is lost or made.

The caps, per return line: its paid share less what the return's live refunds hold, and never
more than its order line still allows (other returns of the order draw on the same paid amount);
the shipping: what the order's shipping has left. The payments' caps follow from these, since the
payments add up to the lines' paid amounts plus the shipping.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from returndesk.core.money import format_amount, from_minor
from returndesk.policies.domain.advice import AdviceLineInput, advise, spread
from returndesk.policies.domain.policy import ReturnPolicy
from returndesk.policies.domain.reasons import Reason
from returndesk.refunds.domain.states import RefundKind
from returndesk.refunds.errors import ExceedsRefundable, LineNotAccepted, NothingToRefund, ZeroAmount
from returndesk.returns.domain.lifecycle import Resolution
from returndesk.returns.errors import DuplicateLine, LineNotInReturn


@dataclass(frozen=True)
class LineMoney:
    """One line of the return, as a refund sees it."""

    line: str  # the order line's external id
    quantity: int
    reason: Reason
    paid_share: int
    rejected: bool  # rejected at inspection
    refunded: int  # what the return's live refunds hold for it
    order_line_left: int  # what the order line's paid amount still allows, over all its returns

    @property
    def cap(self) -> int:
        """What any refund may still pay for this line."""
        return max(min(self.paid_share - self.refunded, self.order_line_left), 0)


@dataclass(frozen=True)
class ReturnMoney:
    """Everything the amounts of a refund on one return depend on."""

    currency: str
    lines: tuple[LineMoney, ...]
    policy: ReturnPolicy
    free: bool
    eu_withdrawal: bool
    order_shipping: int
    order_paid_total: int  # every order line's paid amount
    order_shipping_refunded: int  # what live refunds of all the order's returns hold of its shipping
    shipping_refunded: int  # this return's part of that
    # Whether the units the order's returns hold (this one's included) are every unit of the order.
    leaves_order_returned: bool

    @property
    def shipping_cap(self) -> int:
        return max(self.order_shipping - self.order_shipping_refunded, 0)

    def line(self, line: str) -> LineMoney | None:
        return next((candidate for candidate in self.lines if candidate.line == line), None)


@dataclass(frozen=True)
class PlannedLine:
    line: str
    quantity: int
    paid_share: int
    restocking_fee: int
    return_shipping_fee: int
    amount: int


@dataclass(frozen=True)
class Plan:
    """What one refund pays: per line (those with an amount), and for the order's shipping."""

    lines: tuple[PlannedLine, ...]
    shipping: int

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines) + self.shipping


@dataclass(frozen=True)
class Breakdown:
    """The return's full default, refunded or not: each line's paid share less its fees, and the
    share of the order's shipping the return gets back."""

    lines: tuple[PlannedLine, ...]
    shipping: int

    @property
    def total(self) -> int:
        return sum(line.amount for line in self.lines) + self.shipping


def coverable(money: ReturnMoney, kind: RefundKind) -> tuple[LineMoney, ...]:
    """The lines a refund of ``kind`` covers by default: for ``keep`` every line (nothing was
    inspected), otherwise those not rejected at inspection."""
    if kind is RefundKind.KEEP:
        return money.lines
    return tuple(line for line in money.lines if not line.rejected)


def breakdown(money: ReturnMoney, kind: RefundKind) -> Breakdown:
    """Each covered line's default (paid share - restocking fee - its part of the return shipping
    fee; ``keep`` and offers charge no fee) and the return's shipping share, from the policies'
    ``advise`` so that a refund pays what the buyer was told at opening.

    The shipping share counts what other returns of the order refunded of the shipping already,
    not this return's own refunds: those are taken off by ``refund_default``.
    """
    lines = coverable(money, kind)
    if not lines:
        return Breakdown((), 0)
    advice = advise(
        currency=money.currency,
        lines=[AdviceLineInput(line.line, line.quantity, line.paid_share, line.reason) for line in lines],
        policy=money.policy,
        free=money.free,
        eu_withdrawal=money.eu_withdrawal,
        order_shipping=money.order_shipping,
        order_paid_total=money.order_paid_total,
        shipping_refunded=money.order_shipping_refunded - money.shipping_refunded,
        leaves_order_returned=money.leaves_order_returned,
    )
    charges_fees = kind is RefundKind.REFUND
    planned = tuple(
        PlannedLine(
            line=advised.line,
            quantity=advised.quantity,
            paid_share=advised.paid_share,
            restocking_fee=advised.restocking_fee if charges_fees else 0,
            return_shipping_fee=advised.return_shipping_fee if charges_fees else 0,
            amount=advised.refund if charges_fees else advised.paid_share,
        )
        for advised in advice.lines
    )
    return Breakdown(planned, advice.shipping_refund)


def default_plan(money: ReturnMoney, kind: RefundKind) -> Plan:
    """Each covered line's default less what its live refunds hold, plus the shipping share not
    yet refunded, each within its cap (what a form is prefilled with; may be nothing)."""
    full = breakdown(money, kind)
    facts = {line.line: line for line in money.lines}
    planned = [
        _with_amount(line, min(max(line.amount - facts[line.line].refunded, 0), facts[line.line].cap))
        for line in full.lines
    ]
    shipping = min(max(full.shipping - money.shipping_refunded, 0), money.shipping_cap)
    return Plan(tuple(planned), shipping)


def refund_default(money: ReturnMoney, kind: RefundKind) -> Plan:
    """``default_plan`` without the lines it pays nothing for; 409 ``nothing_to_refund`` when it
    pays nothing at all."""
    plan = default_plan(money, kind)
    if plan.total == 0:
        raise NothingToRefund("The return's default refund is paid or under way in full; give amounts to refund more.")
    return Plan(tuple(line for line in plan.lines if line.amount), plan.shipping)


def refund_explicit(
    money: ReturnMoney, lines: Sequence[tuple[str, int]], shipping: int | None, *, agent: bool = False
) -> Plan:
    """The amounts given, each from 0 to its remaining cap (409 ``exceeds_refundable``, naming each
    one over), for lines of the return (422 ``line_not_in_return``) not rejected at inspection (409
    ``line_not_accepted``; an agent may); a total of 0 is 422 ``zero_amount``. A line shows the
    default's paid share and fees beside the amount given."""
    names = [line for line, _amount in lines]
    if len(set(names)) != len(names):
        raise DuplicateLine("Name each line once, with the amount to refund for it.")
    defaults = {line.line: line for line in breakdown(money, RefundKind.REFUND).lines}
    over: list[dict[str, Any]] = []
    planned = []
    for index, (name, amount) in enumerate(lines):
        facts = money.line(name)
        if facts is None:
            raise LineNotInReturn(f"The return has no line {name!r}.")
        if facts.rejected and not agent:
            raise LineNotAccepted(f"Line {name!r} was rejected at inspection; an agent may still refund it.")
        if amount > facts.cap:
            over.append(_over(money.currency, ["body", "lines", index, "amount"], name, amount, facts.cap))
        default = defaults.get(name)
        planned.append(
            PlannedLine(
                line=name,
                quantity=facts.quantity,
                paid_share=facts.paid_share,
                restocking_fee=default.restocking_fee if default else 0,
                return_shipping_fee=default.return_shipping_fee if default else 0,
                amount=amount,
            )
        )
    shipping = shipping or 0
    if shipping > money.shipping_cap:
        over.append(_over(money.currency, ["body", "shipping_amount"], None, shipping, money.shipping_cap))
    if over:
        raise ExceedsRefundable(_over_detail(over), errors=over)
    plan = Plan(tuple(line for line in planned if line.amount), shipping)
    if plan.total == 0:
        raise ZeroAmount("Give an amount above 0 for a line or the shipping.")
    return plan


def offer_cap(money: ReturnMoney) -> int:
    """The most an offer may be: the remaining caps of the lines a refund could cover."""
    return sum(line.cap for line in coverable(money, RefundKind.OFFER))


def offer_spread(money: ReturnMoney, amount: int) -> Plan:
    """An accepted offer of ``amount``, spread over the lines a refund could cover by their
    remaining caps (no fee, no shipping); 409 ``exceeds_refundable`` above ``offer_cap``."""
    lines = coverable(money, RefundKind.OFFER)
    caps = [line.cap for line in lines]
    if amount <= 0:
        raise ZeroAmount("An offer must be above 0.")
    if amount > sum(caps):
        error = _over(money.currency, ["body", "amount"], None, amount, sum(caps))
        raise ExceedsRefundable(_over_detail([error]), errors=[error])
    parts = spread(amount, caps)
    return Plan(
        tuple(
            PlannedLine(line.line, line.quantity, line.paid_share, 0, 0, part)
            for line, part in zip(lines, parts, strict=True)
            if part
        ),
        0,
    )


def draw_payments(total: int, left: Sequence[int]) -> list[int]:
    """What ``total`` takes from each payment, in import order, each up to what it has ``left``.

    The caps keep every refund within the payments (they add up to the lines and the shipping
    paid), so running short means the running totals disagree: refused, never drawn in part.
    """
    if total < 0 or any(part < 0 for part in left):
        raise ValueError(f"cannot draw {total} from {list(left)}")
    if total > sum(left):
        error = {"loc": ["body"], "line": None, "msg": "The order's payments have less left.", "remaining": None}
        raise ExceedsRefundable("The order's payments have less left to refund than this.", errors=[error])
    draws = []
    rest = total
    for part in left:
        taken = min(part, rest)
        draws.append(taken)
        rest -= taken
    return draws


def live_parts(parts: Sequence[int], live: int) -> list[int]:
    """What each of a refund's parts (its lines, then its shipping) still holds when only ``live``
    of its total is live (some transactions were cancelled): filled in order, so that cancelling
    more never makes a part hold more."""
    if not 0 <= live <= sum(parts) or any(part < 0 for part in parts):
        raise ValueError(f"{live} live of parts {list(parts)}")
    held = []
    rest = live
    for part in parts:
        taken = min(part, rest)
        held.append(taken)
        rest -= taken
    return held


def is_held(total: int, hold_above: int | None) -> bool:
    """Whether a refund waits for an agent's release: its total is above the policy's threshold."""
    return hold_above is not None and total > hold_above


def resolution(kind: RefundKind, current: Resolution, *, refunded: int, full_default: int) -> Resolution:
    """The return's resolution after a refund: ``keep_item`` for keep, ``partial_refund`` for an
    accepted offer, otherwise ``refund`` once the live refunds (``refunded``, this one included)
    reach the return's full default, else ``partial_refund``. A return kept stays ``keep_item``."""
    if kind is RefundKind.KEEP:
        return Resolution.KEEP_ITEM
    if kind is RefundKind.OFFER:
        return Resolution.PARTIAL_REFUND
    if current is Resolution.KEEP_ITEM:
        return current
    return Resolution.REFUND if refunded >= full_default else Resolution.PARTIAL_REFUND


def _with_amount(line: PlannedLine, amount: int) -> PlannedLine:
    return PlannedLine(line.line, line.quantity, line.paid_share, line.restocking_fee, line.return_shipping_fee, amount)


def _over(currency: str, loc: list[str | int], line: str | None, amount: int, cap: int) -> dict[str, Any]:
    remaining = format_amount(from_minor(cap, currency), currency)
    asked = format_amount(from_minor(amount, currency), currency)
    what = f"line {line!r}" if line is not None else ("the shipping" if loc[-1] == "shipping_amount" else "the offer")
    return {
        "loc": loc,
        "line": line,
        "msg": f"{asked} {currency} is more than the {remaining} {currency} left to refund for {what}.",
        "remaining": remaining,
    }


def _over_detail(errors: list[dict[str, Any]]) -> str:
    return str(errors[0]["msg"]) if len(errors) == 1 else f"{len(errors)} amounts exceed what is left to refund."
