"""Whether a line may be returned, for which reasons, how many units, and why not. Pure Python.

One answer serves ``GET /orders/{id}/returnable``, ``POST /returns/preview``, ``POST /returns`` and
the buyer's pages, so none of them can disagree. ``line_eligibility`` says what a line allows now
(every refusal that applies, with its sentence); ``request_refusals`` what refuses one request for
it (a quantity and a reason), in the same order, the order the API reports them in.

Final sale and the policy's non-returnable categories and SKUs refuse the buyer's choice only:
faulty, wrong or misdescribed goods stay returnable. An EU buyer's withdrawal (within 14 days of
delivery, rolled like the window) is never refused by a non-returnable listing; final sale still
refuses it.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from enum import StrEnum
from types import MappingProxyType

from returndesk.policies.domain import calendar
from returndesk.policies.domain.advice import is_eu_withdrawal
from returndesk.policies.domain.policy import ReturnPolicy
from returndesk.policies.domain.reasons import BUYER_CHOICE_REASONS, Reason


class Refusal(StrEnum):
    """Why (some units of) a line cannot be returned, in the order they are reported."""

    NOT_DELIVERED = "not_delivered"
    WINDOW_CLOSED = "window_closed"
    FINAL_SALE = "final_sale"
    NON_RETURNABLE_CATEGORY = "non_returnable_category"
    NON_RETURNABLE_SKU = "non_returnable_sku"
    ALREADY_RETURNED = "already_returned"
    QUANTITY_EXCEEDED = "quantity_exceeded"


# The refusals that bind the buyer's choice only.
BUYER_CHOICE_REFUSALS: frozenset[Refusal] = frozenset(
    {Refusal.FINAL_SALE, Refusal.NON_RETURNABLE_CATEGORY, Refusal.NON_RETURNABLE_SKU}
)
_ONLY_IF_FAULTY = "returnable only if faulty, wrong or not as described"
_MONTHS = ("January February March April May June July August September October November December").split()


@dataclass(frozen=True)
class LineFacts:
    """An order line as the rules need it."""

    line: str  # the order line's external id
    title: str
    sku: str
    category: str
    quantity: int
    held: int  # units other returns hold (``lifecycle.holds_quantity``)
    final_sale: bool
    delivered_at: datetime | None  # the line's, else the order's

    @property
    def left(self) -> int:
        """The units no other return holds."""
        return max(self.quantity - self.held, 0)


@dataclass(frozen=True)
class BuyerFacts:
    time_zone: str
    country: str


@dataclass(frozen=True)
class LineRefusal:
    code: Refusal
    message: str
    # window_closed: {"window_closed_at": iso}; already_returned, quantity_exceeded: {"available": n}
    data: Mapping[str, object] = field(default_factory=lambda: MappingProxyType({}))


@dataclass(frozen=True)
class LineEligibility:
    """What a line allows now.

    ``returnable_quantity`` is the units left to return (0 until delivered and once the window has
    closed); ``window_ends_at`` the first instant it is no longer returnable, in the buyer's time
    zone (None until delivered); ``refusals`` every refusal that applies, final sale and
    non-returnable listings included even while seller-fault reasons remain allowed.
    """

    line: str
    quantity: int
    returnable_quantity: int
    window_ends_at: datetime | None
    eu_withdrawal: bool
    reasons_allowed: tuple[Reason, ...]
    refusals: tuple[LineRefusal, ...]

    @property
    def returnable(self) -> bool:
        """Some reason allowed, units left, delivered, window open."""
        return bool(self.reasons_allowed) and self.returnable_quantity > 0

    @property
    def last_day(self) -> date | None:
        """The buyer-local last day of the window, the date pages show."""
        return None if self.window_ends_at is None else last_day_of(self.window_ends_at)


def last_day_of(window_ends_at: datetime) -> date:
    # Wall-clock arithmetic in the buyer's zone: the day before the midnight the window ends at.
    return (window_ends_at - timedelta(days=1)).date()


def long_date(day: date) -> str:
    """A date as the sentences write it: "4 April 2026"."""
    return f"{day.day} {_MONTHS[day.month - 1]} {day.year}"


def _units(count: int) -> str:
    return "1 unit" if count == 1 else f"{count} units"


def _already_returned_sentence(quantity: int) -> str:
    if quantity == 1:
        return "The unit is already in a return."
    if quantity == 2:
        return "Both units are already in a return."
    return f"All {quantity} units are already in a return."


def _is_listed(value: str, listed: tuple[str, ...], *, fold: bool) -> bool:
    if fold:
        value = value.casefold()
        return any(value == item.casefold() for item in listed)
    return value in listed


def line_eligibility(
    line: LineFacts, *, buyer: BuyerFacts, policy: ReturnPolicy, now: datetime, withdrawal: bool = True
) -> LineEligibility:
    """What ``line`` allows at ``now`` for ``buyer`` under ``policy``.

    Returned now, the line alone is an EU withdrawal when it came within the buyer's 14 days. A
    withdrawal is the whole return's, though: ``withdrawal=False`` judges a line returned beside
    one that is not, as no withdrawal.
    """
    delivered_at = line.delivered_at
    window_ends_at = (
        None
        if delivered_at is None
        else calendar.window_end(delivered_at, buyer.time_zone, buyer.country, policy.window_days)
    )
    eu_withdrawal = (
        withdrawal
        and delivered_at is not None
        and is_eu_withdrawal(opened_at=now, delivered_at=delivered_at, time_zone=buyer.time_zone, country=buyer.country)
    )
    left = line.left
    refusals: list[LineRefusal] = []
    if window_ends_at is None:
        refusals.append(LineRefusal(Refusal.NOT_DELIVERED, f"{line.title} has not been delivered yet."))
    elif now >= window_ends_at:
        refusals.append(
            LineRefusal(
                Refusal.WINDOW_CLOSED,
                f"{line.title} could be returned until {long_date(last_day_of(window_ends_at))}.",
                MappingProxyType({"window_closed_at": window_ends_at.isoformat()}),
            )
        )
    open_now = window_ends_at is not None and now < window_ends_at
    if line.final_sale:
        refusals.append(LineRefusal(Refusal.FINAL_SALE, f"{line.title} was sold as final sale: {_ONLY_IF_FAULTY}."))
    if not eu_withdrawal:
        if _is_listed(line.category, policy.non_returnable_categories, fold=True):
            refusals.append(LineRefusal(Refusal.NON_RETURNABLE_CATEGORY, f"{line.category} is {_ONLY_IF_FAULTY}."))
        if _is_listed(line.sku, policy.non_returnable_skus, fold=False):
            refusals.append(LineRefusal(Refusal.NON_RETURNABLE_SKU, f"{line.title} is {_ONLY_IF_FAULTY}."))
    if left == 0:
        refusals.append(
            LineRefusal(
                Refusal.ALREADY_RETURNED,
                _already_returned_sentence(line.quantity),
                MappingProxyType({"available": 0}),
            )
        )
    returnable_quantity = left if open_now else 0
    buyer_choice_refused = any(refusal.code in BUYER_CHOICE_REFUSALS for refusal in refusals)
    reasons_allowed = (
        tuple(reason for reason in Reason if not (buyer_choice_refused and reason in BUYER_CHOICE_REASONS))
        if returnable_quantity
        else ()
    )
    return LineEligibility(
        line=line.line,
        quantity=line.quantity,
        returnable_quantity=returnable_quantity,
        window_ends_at=window_ends_at,
        eu_withdrawal=eu_withdrawal,
        reasons_allowed=reasons_allowed,
        refusals=tuple(refusals),
    )


def request_refusals(
    eligibility: LineEligibility, line: LineFacts, *, quantity: int, reason: Reason
) -> tuple[LineRefusal, ...]:
    """What refuses returning ``quantity`` units of ``line`` for ``reason``, in ``Refusal``'s order.

    Final sale and the non-returnable listings refuse buyer's-choice reasons only (the listings
    never an EU withdrawal: ``line_eligibility`` leaves them out then); ``already_returned`` when
    no unit is left, ``quantity_exceeded`` when some are but fewer than asked.
    """
    refusals = [
        refusal
        for refusal in eligibility.refusals
        if refusal.code not in BUYER_CHOICE_REFUSALS or reason in BUYER_CHOICE_REASONS
    ]
    left = line.left
    if 0 < left < quantity:
        refusals.append(
            LineRefusal(
                Refusal.QUANTITY_EXCEEDED,
                f"Only {left} of {_units(line.quantity)} can still be returned.",
                MappingProxyType({"available": left}),
            )
        )
    return tuple(refusals)
