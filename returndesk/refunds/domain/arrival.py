"""When refunded money reaches the buyer, and when a refund needs someone's attention. Pure Python.

Each payment method takes a range of business days (``RETURNDESK_REFUND_DAYS``: card 3-20, paypal
1-5, wallet 0-1, bank_transfer 5-10, anything else ``other``, 3-20). They count from the buyer-local
date the refund succeeded (while it is pending, the date it was made: a provisional range), rolled
forward to a business day of the buyer's country, in the policies' calendar.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime, time, timedelta
from typing import NamedTuple
from zoneinfo import ZoneInfo

from returndesk.policies.domain import calendar

OTHER = "other"
# The table when the settings name none (``settings.RETURNDESK_REFUND_DAYS`` is this, overridable).
DEFAULT_REFUND_DAYS: Mapping[str, tuple[int, int]] = {
    "card": (3, 20),
    "paypal": (1, 5),
    "wallet": (0, 1),
    "bank_transfer": (5, 10),
    OTHER: (3, 20),
}
# Past the money's latest day, how many business days before the refund needs supervising.
OVERDUE_AFTER_BUSINESS_DAYS = 2


class ExpectedArrival(NamedTuple):
    earliest: date
    latest: date
    # Counted from when the refund was made, since it has not succeeded yet.
    provisional: bool


def refund_days(method: str, days_table: Mapping[str, tuple[int, int]]) -> tuple[int, int]:
    """The range of business days for a payment ``method`` (any case); ``other`` for a method the
    table lacks."""
    key = method.strip().lower()
    if key in days_table:
        return days_table[key]
    return days_table.get(OTHER, DEFAULT_REFUND_DAYS[OTHER])


def expected_arrival(
    method: str,
    succeeded_or_created_at: datetime,
    *,
    provisional: bool,
    time_zone: str,
    country: str,
    days_table: Mapping[str, tuple[int, int]],
) -> ExpectedArrival:
    """The first and last business day the money of one transaction may reach the buyer.

    ``succeeded_or_created_at`` is when the refund succeeded, or (``provisional``) when it was made
    while it is still pending: the same count, only the start differs. Both ends are business days
    of the buyer's ``country``.
    """
    local_day = succeeded_or_created_at.astimezone(ZoneInfo(time_zone)).date()
    start = calendar.roll_to_business_day(local_day, country)
    low, high = refund_days(method, days_table)
    return ExpectedArrival(
        calendar.add_business_days(start, low, country), calendar.add_business_days(start, high, country), provisional
    )


def day_end(day: date, time_zone: str) -> datetime:
    """The first instant after the buyer-local ``day`` (the local midnight that ends it)."""
    return datetime.combine(day + timedelta(days=1), time(0), tzinfo=ZoneInfo(time_zone))


def money_due_at(refund_expected_by: date | None, time_zone: str) -> datetime | None:
    """The end of the buyer-local day ``refund_expected_by``: past it, the money is late."""
    return None if refund_expected_by is None else day_end(refund_expected_by, time_zone)


def expected_by_of(money_due: datetime | None, time_zone: str) -> date | None:
    """The buyer-local day ``money_due_at`` ends (``money_due_at``'s inverse): the latest day the
    money may arrive, read back from the column the lifecycle keeps."""
    if money_due is None:
        return None
    return (money_due.astimezone(ZoneInfo(time_zone)) - timedelta(days=1)).date()


def attention_at(
    *,
    stuck_since: Iterable[datetime],
    refund_attention: timedelta,
    refund_expected_by: date | None,
    time_zone: str,
    country: str,
    all_cancelled_at: datetime | None,
) -> datetime | None:
    """When a refunding return needs supervising: the earliest of ``refund_attention`` after a
    transaction was held or failed (``stuck_since``, one time per such transaction), the end of the
    second business day after the money's latest day, and the cancel that left the return with no
    live refund (``all_cancelled_at``). None when none applies."""
    candidates = [since + refund_attention for since in stuck_since]
    if refund_expected_by is not None:
        overdue_day = calendar.add_business_days(refund_expected_by, OVERDUE_AFTER_BUSINESS_DAYS, country)
        candidates.append(day_end(overdue_day, time_zone))
    if all_cancelled_at is not None:
        candidates.append(all_cancelled_at)
    return min(candidates, default=None)
