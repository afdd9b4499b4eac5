"""What returning costs and what comes back: shares, fees and the advice. Pure Python.

All money is integer minor units of one currency (``core.money.to_minor``), so every split is
exact: ``spread`` and ``paid_share`` hand out floor differences of cumulative products, which sum
to the whole by construction (no cent is lost or made when a line is returned unit by unit, or a
fee split over lines). The refund ledger reuses these functions.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_EVEN, Decimal
from enum import StrEnum
from zoneinfo import ZoneInfo

from returndesk.core.money import format_amount, from_minor, to_minor
from returndesk.policies.domain import calendar
from returndesk.policies.domain.policy import EU_FLOOR_DAYS, Payer, ReturnPolicy
from returndesk.policies.domain.reasons import BUYER_CHOICE_REASONS, SELLER_FAULT_REASONS, Reason


def spread(total: int, weights: Sequence[int]) -> list[int]:
    """Split ``total`` over ``weights``: part i is floor(X·W_i/W) - floor(X·W_{i-1}/W), W_i the
    cumulative weights and W their sum. The parts sum to ``total``; none exceeds its weight."""
    whole = sum(weights)
    if any(weight < 0 for weight in weights) or not 0 <= total <= whole:
        raise ValueError(f"cannot spread {total} over weights {list(weights)}")
    if whole == 0:
        return [0] * len(weights)
    parts = []
    cumulative = 0
    before = 0
    for weight in weights:
        cumulative += weight
        upto = total * cumulative // whole
        parts.append(upto - before)
        before = upto
    return parts


def paid_share(*, paid: int, quantity: int, held: int, returned: int) -> int:
    """What ``returned`` units of a line (``quantity`` units, ``paid`` in all) are worth when other
    returns hold ``held``: floor(P·(h+k)/Q) - floor(P·h/Q), so unit-by-unit returns sum to P."""
    if not (quantity > 0 and held >= 0 and returned >= 0 and held + returned <= quantity):
        raise ValueError(f"{returned} units after {held} of {quantity}")
    return paid * (held + returned) // quantity - paid * held // quantity


def restocking_fee(*, paid_share: int, percent: Decimal, reason: Reason, eu_withdrawal: bool) -> int:
    """``percent`` of the line's paid share, rounded half-even to the minor unit; buyer's-choice
    reasons only, and never on an EU withdrawal (the buyer's right costs nothing but postage)."""
    if reason not in BUYER_CHOICE_REASONS or eu_withdrawal:
        return 0
    return int((Decimal(paid_share) * percent / 100).quantize(Decimal(1), rounding=ROUND_HALF_EVEN))


def is_free_return(
    *, opened_at: datetime, delivered_at: datetime, time_zone: str, policy: ReturnPolicy, earlier_free_returns: int
) -> bool:
    """Opened within ``free_window_days`` of delivery (buyer-local dates) while fewer than
    ``free_returns_per_order`` earlier free returns of the order hold units."""
    zone = ZoneInfo(time_zone)
    last_free_day = delivered_at.astimezone(zone).date() + timedelta(days=policy.free_window_days)
    return opened_at.astimezone(zone).date() <= last_free_day and earlier_free_returns < policy.free_returns_per_order


def is_eu_withdrawal(*, opened_at: datetime, delivered_at: datetime, time_zone: str, country: str) -> bool:
    """An EU buyer's return opened within 14 days of delivery, rolled to a business day like the
    window, whatever its reason. No other buyer's return is one."""
    if not calendar.is_eu_buyer(country):
        return False
    return opened_at < calendar.window_end(delivered_at, time_zone, country, EU_FLOOR_DAYS)


@dataclass(frozen=True)
class AdviceLineInput:
    line: str
    quantity: int
    paid_share: int
    reason: Reason


@dataclass(frozen=True)
class AdviceLine:
    line: str
    quantity: int
    paid_share: int
    restocking_fee: int
    return_shipping_fee: int
    refund: int


class Suggestion(StrEnum):
    KEEP_ITEM = "keep_item"
    NOT_WORTH_RETURNING = "not_worth_returning"
    SHIP = "ship"


@dataclass(frozen=True)
class Advice:
    currency: str
    lines: tuple[AdviceLine, ...]
    shipping_refund: int
    return_shipping_paid_by: Payer  # buyer when the buyer pays for one of the lines' reasons
    free: bool
    return_shipping_fee: int  # what is deducted in total
    refund_total: int
    eu_withdrawal: bool
    suggestion: Suggestion
    message: str


def _amount(units: int, currency: str) -> str:
    return f"{format_amount(from_minor(units, currency), currency)} {currency}"


def _shipping_refund(
    lines: Sequence[AdviceLineInput],
    *,
    eu_withdrawal: bool,
    order_shipping: int,
    order_paid_total: int,
    shipping_refunded: int,
    leaves_order_returned: bool,
) -> int:
    """The order's shipping S comes back in proportion to the seller-fault lines' paid shares, and
    whole (what is left of it) to the return that completes the order for seller-fault reasons or
    as an EU withdrawal."""
    not_yet_refunded = max(order_shipping - shipping_refunded, 0)
    all_seller_fault = all(line.reason in SELLER_FAULT_REASONS for line in lines)
    if leaves_order_returned and (all_seller_fault or eu_withdrawal):
        return not_yet_refunded
    if order_paid_total <= 0:
        return 0
    share = sum(
        order_shipping * line.paid_share // order_paid_total for line in lines if line.reason in SELLER_FAULT_REASONS
    )
    return min(share, not_yet_refunded)


def advise(
    *,
    currency: str,
    lines: Sequence[AdviceLineInput],
    policy: ReturnPolicy,
    free: bool,
    eu_withdrawal: bool,
    order_shipping: int,
    order_paid_total: int,
    shipping_refunded: int,
    leaves_order_returned: bool,
) -> Advice:
    """What a return of ``lines`` would refund and cost under ``policy``, and what to do.

    The return shipping fee is charged once, when the return is not free and the buyer pays
    return shipping for one of its lines' reasons; it is spread over those lines by what they
    still refund after restocking, so it never takes a line below 0 (nor more than they refund).
    """
    restocking = [
        restocking_fee(
            paid_share=line.paid_share,
            percent=policy.restocking_fee_percent,
            reason=line.reason,
            eu_withdrawal=eu_withdrawal,
        )
        for line in lines
    ]
    buyer_pays = [policy.return_shipping_payer(line.reason) is Payer.BUYER for line in lines]
    paid_by = Payer.BUYER if any(buyer_pays) else Payer.SELLER
    fee = policy.return_shipping_fee.get(currency)
    charged = 0 if free or paid_by is Payer.SELLER or fee is None else to_minor(fee, currency)
    weights = [
        line.paid_share - fee_ if pays else 0 for line, fee_, pays in zip(lines, restocking, buyer_pays, strict=True)
    ]
    deducted = min(charged, sum(weights))
    shipping_fees = spread(deducted, weights)
    advice_lines = tuple(
        AdviceLine(
            line=line.line,
            quantity=line.quantity,
            paid_share=line.paid_share,
            restocking_fee=fee_,
            return_shipping_fee=shipping,
            refund=line.paid_share - fee_ - shipping,
        )
        for line, fee_, shipping in zip(lines, restocking, shipping_fees, strict=True)
    )
    shipping_refund = _shipping_refund(
        lines,
        eu_withdrawal=eu_withdrawal,
        order_shipping=order_shipping,
        order_paid_total=order_paid_total,
        shipping_refunded=shipping_refunded,
        leaves_order_returned=leaves_order_returned,
    )
    refund_total = sum(line.refund for line in advice_lines) + shipping_refund
    suggestion, message = _suggest(
        currency=currency,
        paid=sum(line.paid_share for line in lines),
        refund_total=refund_total,
        policy=policy,
    )
    return Advice(
        currency=currency,
        lines=advice_lines,
        shipping_refund=shipping_refund,
        return_shipping_paid_by=paid_by,
        free=free,
        return_shipping_fee=deducted,
        refund_total=refund_total,
        eu_withdrawal=eu_withdrawal,
        suggestion=suggestion,
        message=message,
    )


def _suggest(*, currency: str, paid: int, refund_total: int, policy: ReturnPolicy) -> tuple[Suggestion, str]:
    keep_below = policy.keep_item_below.get(currency)
    if keep_below is not None and paid < to_minor(keep_below, currency):
        return (
            Suggestion.KEEP_ITEM,
            f"Keep the item: returns worth less than {_amount(to_minor(keep_below, currency), currency)}"
            " are refunded without sending anything back.",
        )
    if refund_total == 0:
        return (
            Suggestion.NOT_WORTH_RETURNING,
            "Not worth returning: the fees take the whole refund, nothing would come back.",
        )
    return Suggestion.SHIP, f"Send it back: {_amount(refund_total, currency)} would be refunded."
