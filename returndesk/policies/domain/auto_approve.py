"""Whether a policy's auto-approve rules hold for a return as it opens. Pure Python.

All three rules must hold: ``reasons`` is non-empty and holds every line's reason;
``max_line_paid`` is empty, or names the order's currency and no line's paid share is above it
(a currency missing from a non-empty map: never); ``max_days_since_delivery`` is null, or no line
was delivered more days ago than that, counted in the buyer's local dates.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from returndesk.core.money import to_minor
from returndesk.policies.domain.policy import AutoApprove
from returndesk.policies.domain.reasons import Reason


@dataclass(frozen=True)
class AutoApproveLine:
    """One line of the return as the rules judge it: its reason, its paid share in minor units and
    when it was delivered."""

    reason: Reason
    paid_share: int
    delivered_at: datetime


def auto_approves(
    rules: AutoApprove, *, currency: str, lines: Sequence[AutoApproveLine], time_zone: str, now: datetime
) -> bool:
    """Whether the system approves a return of ``lines`` (in ``currency``) opened at ``now`` by a
    buyer in ``time_zone`` at once, under ``rules``. No lines, or no reasons: never."""
    if not lines or not rules.reasons or any(line.reason not in rules.reasons for line in lines):
        return False
    if rules.max_line_paid:
        limit = rules.max_line_paid.get(currency)
        if limit is None or any(line.paid_share > to_minor(limit, currency) for line in lines):
            return False
    if rules.max_days_since_delivery is not None:
        zone = ZoneInfo(time_zone)
        today = now.astimezone(zone).date()
        if any(
            (today - line.delivered_at.astimezone(zone).date()).days > rules.max_days_since_delivery for line in lines
        ):
            return False
    return True
