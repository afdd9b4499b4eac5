"""Whether a line of an order may be returned, and how many of its units. Pure Python.

One answer for the buyer's pages (units returnable, or why not) and for ``return_open`` (which
turns a "why not" into its error): the two can never disagree.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from returndesk.returns.domain.lifecycle import DEFAULT_POLICY, Policy, return_window_end


class WhyNot(StrEnum):
    """Why a line has no returnable unit, in the order they are checked (first wins)."""

    FINAL_SALE = "final_sale"
    NOT_DELIVERED = "not_delivered"
    WINDOW_CLOSED = "window_closed"
    ALREADY_RETURNED = "already_returned"


@dataclass(frozen=True)
class Returnability:
    """A line's returnable units now, or why none.

    ``window_ends_at`` is the first instant the line is no longer returnable, in the buyer's time
    zone (None until delivered); ``last_day`` the buyer's local date of the window's last day, the
    date a page shows ("returnable until", or for ``window_closed`` "until" in the past).
    ``held_by`` names the codes of the returns holding the line's units (the ones to link for
    ``already_returned``), when the caller read them.
    """

    returnable: int
    why_not: WhyNot | None = None
    window_ends_at: datetime | None = None
    held: int = 0
    held_by: tuple[str, ...] = ()

    @property
    def last_day(self) -> date | None:
        return None if self.window_ends_at is None else (self.window_ends_at - timedelta(days=1)).date()


def line_returnability(
    *,
    quantity: int,
    final_sale: bool,
    delivered_at: datetime | None,
    held: int,
    time_zone: str,
    country: str,
    now: datetime,
    held_by: tuple[str, ...] = (),
    policy: Policy = DEFAULT_POLICY,
) -> Returnability:
    """The returnable units of a line bought ``quantity`` times of which open returns hold
    ``held`` (``lifecycle.holds_quantity``), at ``now``, for a buyer in ``time_zone`` and ``country``.

    Final sale comes first (it never changes), then delivery, then the window (counted from
    delivery, ending at the end of the buyer's local day), then the units other returns hold.
    """
    window_ends_at = None if delivered_at is None else return_window_end(delivered_at, time_zone, country, policy)
    available = max(quantity - held, 0)
    why_not: WhyNot | None = None
    if final_sale:
        why_not = WhyNot.FINAL_SALE
    elif window_ends_at is None:
        why_not = WhyNot.NOT_DELIVERED
    elif now >= window_ends_at:
        why_not = WhyNot.WINDOW_CLOSED
    elif available == 0:
        why_not = WhyNot.ALREADY_RETURNED
    return Returnability(
        returnable=0 if why_not else available,
        why_not=why_not,
        window_ends_at=window_ends_at,
        held=held,
        held_by=held_by,
    )
