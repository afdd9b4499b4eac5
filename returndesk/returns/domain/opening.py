"""Judging a request to open a return, before anything is written. Pure Python.

``POST /returns``, ``POST /returns/preview`` and the buyer's form all judge through
``opening_judge``: every line's refusals (``policies.domain.eligibility``), its paid share,
whether the return is free, an EU withdrawal and auto-approved, and the cost advice
(``policies.domain.advice``). The three can never disagree: there is no second copy of the rules.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from returndesk.core.errors import Unprocessable
from returndesk.policies.domain import advice as advice_rules
from returndesk.policies.domain.advice import Advice, AdviceLineInput
from returndesk.policies.domain.auto_approve import AutoApproveLine, auto_approves
from returndesk.policies.domain.eligibility import (
    BuyerFacts,
    LineEligibility,
    LineFacts,
    LineRefusal,
    Refusal,
    line_eligibility,
    request_refusals,
)
from returndesk.policies.domain.policy import ReturnPolicy
from returndesk.returns.domain.requests import EXCHANGING_RESOLUTIONS, PreferredResolution, RequestedLine
from returndesk.returns.errors import (
    AlreadyReturned,
    DuplicateLine,
    ExchangeNotAllowed,
    FinalSale,
    LineNotInOrder,
    NonReturnableCategory,
    NonReturnableSku,
    NotDelivered,
    QuantityExceeded,
    WindowClosed,
)


@dataclass(frozen=True)
class OrderLineFacts:
    """One line of the order: what eligibility judges, and what was paid for the whole line (in
    the currency's minor units)."""

    facts: LineFacts
    paid: int


@dataclass(frozen=True)
class OrderFacts:
    """What judging an opening reads of the order, in one statement: every line (the requested ones
    are judged, all of them tell whether the return leaves the order wholly returned), the buyer,
    the shipping and how many earlier free returns of the order still hold units."""

    external_id: str
    currency: str
    buyer: BuyerFacts
    shipping: int
    lines: Mapping[str, OrderLineFacts]
    earlier_free_returns: int
    # What refunds of the order's shipping have paid out already (none before the refund ledger).
    shipping_refunded: int = 0


@dataclass(frozen=True)
class JudgedLine:
    requested: RequestedLine
    eligibility: LineEligibility
    refusals: tuple[LineRefusal, ...]
    # The units the return can take now (the request, or what is left of the line when less).
    quantity: int
    paid_share: int


@dataclass(frozen=True)
class NumberedRefusal:
    """A refusal of the line at ``index`` of the request (its position in the body)."""

    index: int
    line: str
    refusal: LineRefusal


@dataclass(frozen=True)
class Opening:
    """The verdict on a request: ``refusals`` lines in request order, each line's in the table's
    order; the rest as the return would open now."""

    lines: tuple[JudgedLine, ...]
    refusals: tuple[NumberedRefusal, ...]
    free: bool
    eu_withdrawal: bool
    auto_approve: bool
    advice: Advice

    @property
    def returnable(self) -> bool:
        return not self.refusals


def requested_lines_check(lines: Sequence[RequestedLine]) -> None:
    """Refuse a request that names a line twice (422 ``duplicate_line``)."""
    line_ids = [line.line for line in lines]
    if len(set(line_ids)) != len(line_ids):
        raise DuplicateLine("Name each order line once, with the total quantity to return.")


def resolution_check(preferred: PreferredResolution, policy: ReturnPolicy) -> None:
    """Refuse an exchange or a replacement under a policy without exchanges (422 ``exchange_not_allowed``)."""
    if preferred in EXCHANGING_RESOLUTIONS and not policy.exchanges:
        raise ExchangeNotAllowed(
            f"This seller offers no exchanges or replacements: ask for a refund instead of {preferred}."
        )


# What a buyer who may keep the item asked for, such that the system keeps it at request: a
# refund (which keeping is, without the parcel) or keeping it outright; never an exchange.
KEEPING_PREFERENCES = frozenset({PreferredResolution.REFUND, PreferredResolution.KEEP_ITEM})


def keeps_at_request(verdict: Opening, preferred: PreferredResolution) -> bool:
    """Whether the system keeps the return as it opens, instead of approving it: the advice
    suggests keeping the item (it is worth less than the policy's ``keep_item_below``) and the
    buyer asked for a refund or to keep it. Never when keeping would refund nothing (items that
    cost nothing): there is no refund to make, so the seller decides as usual."""
    advice = verdict.advice
    return (
        verdict.returnable
        and advice.suggestion is advice_rules.Suggestion.KEEP_ITEM
        and preferred in KEEPING_PREFERENCES
        and sum(line.paid_share for line in advice.lines) + advice.shipping_refund > 0
    )


def opening_judge(
    order: OrderFacts, requested: Sequence[RequestedLine], *, policy: ReturnPolicy, now: datetime
) -> Opening:
    """Judge opening a return on ``requested`` lines of ``order`` at ``now`` under ``policy``.

    A line the order lacks is refused at once (422 ``line_not_in_order``): it has nothing to judge.
    """
    judged = []
    for line in requested:
        found = order.lines.get(line.line)
        if found is None:
            raise LineNotInOrder(f"Order {order.external_id!r} has no line {line.line!r}.")
        eligibility = line_eligibility(found.facts, buyer=order.buyer, policy=policy, now=now)
        refusals = request_refusals(eligibility, found.facts, quantity=line.quantity, reason=line.reason)
        left = max(found.facts.quantity - found.facts.held, 0)
        quantity = min(line.quantity, left) if eligibility.window_ends_at is not None else 0
        share = advice_rules.paid_share(
            paid=found.paid, quantity=found.facts.quantity, held=found.facts.held, returned=quantity
        )
        judged.append(JudgedLine(line, eligibility, refusals, quantity, share))
    numbered = tuple(
        NumberedRefusal(index, line.requested.line, refusal)
        for index, line in enumerate(judged)
        for refusal in line.refusals
    )
    delivered = [
        delivered_at for line in judged if (delivered_at := order.lines[line.requested.line].facts.delivered_at)
    ]
    # Free only when every line was delivered recently enough: the earliest delivery decides.
    free = (
        len(delivered) == len(judged)
        and bool(judged)
        and advice_rules.is_free_return(
            opened_at=now,
            delivered_at=min(delivered),
            time_zone=order.buyer.time_zone,
            policy=policy,
            earlier_free_returns=order.earlier_free_returns,
        )
    )
    eu_withdrawal = bool(judged) and all(line.eligibility.eu_withdrawal for line in judged)
    auto_approve = not numbered and auto_approves(
        policy.auto_approve,
        currency=order.currency,
        lines=[
            AutoApproveLine(reason=line.requested.reason, paid_share=line.paid_share, delivered_at=delivered_at)
            for line, delivered_at in zip(judged, delivered, strict=False)
        ],
        time_zone=order.buyer.time_zone,
        now=now,
    )
    returning = {line.requested.line: line.quantity for line in judged}
    leaves_order_returned = all(
        other.facts.held + returning.get(line_id, 0) >= other.facts.quantity for line_id, other in order.lines.items()
    )
    advice = advice_rules.advise(
        currency=order.currency,
        lines=[
            AdviceLineInput(
                line=line.requested.line,
                quantity=line.quantity,
                paid_share=line.paid_share,
                reason=line.requested.reason,
            )
            for line in judged
            if line.quantity
        ],
        policy=policy,
        free=free,
        eu_withdrawal=eu_withdrawal,
        order_shipping=order.shipping,
        order_paid_total=sum(other.paid for other in order.lines.values()),
        shipping_refunded=order.shipping_refunded,
        leaves_order_returned=leaves_order_returned,
    )
    return Opening(
        lines=tuple(judged),
        refusals=numbered,
        free=free,
        eu_withdrawal=eu_withdrawal,
        auto_approve=auto_approve,
        advice=advice,
    )


# The error each refusal answers as: its code, title and members stay those of the core's answer.
REFUSAL_ERRORS: dict[Refusal, type[Unprocessable]] = {
    Refusal.NOT_DELIVERED: NotDelivered,
    Refusal.WINDOW_CLOSED: WindowClosed,
    Refusal.FINAL_SALE: FinalSale,
    Refusal.NON_RETURNABLE_CATEGORY: NonReturnableCategory,
    Refusal.NON_RETURNABLE_SKU: NonReturnableSku,
    Refusal.ALREADY_RETURNED: AlreadyReturned,
    Refusal.QUANTITY_EXCEEDED: QuantityExceeded,
}
# The refusals whose answer names the line and the units left of it.
_NAMING_THE_LINE = frozenset({Refusal.ALREADY_RETURNED, Refusal.QUANTITY_EXCEEDED})


def refusal_error(opening: Opening) -> Unprocessable:
    """The 422 for a refused opening: ``code`` and ``detail`` of the first refusal (lines in request
    order, then the table's), its members (``line`` and ``available``, or ``window_closed_at``), and
    ``errors`` listing every refusal ``{loc, line, code, msg}``."""
    first = opening.refusals[0]
    extra: dict[str, Any] = dict(first.refusal.data)
    if first.refusal.code in _NAMING_THE_LINE:
        extra = {"line": first.line, **extra}
    errors = [
        {"loc": ["body", "lines", numbered.index], "line": numbered.line, "code": str(numbered.refusal.code),
         "msg": numbered.refusal.message}
        for numbered in opening.refusals
    ]  # fmt: skip
    return REFUSAL_ERRORS[first.refusal.code](first.refusal.message, errors=errors, extra=extra)
