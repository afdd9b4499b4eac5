"""What callers ask of the return services, as plain frozen data. Pure Python.

The API's schemas, the pages, the demo and the tests all build these, so the services never see
a request body.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from returndesk.policies.domain.reasons import Reason
from returndesk.returns.domain.anomalies import Anomaly
from returndesk.returns.domain.lifecycle import Condition, LineOutcome
from returndesk.returns.errors import ConditionContradictsOutcome


class PreferredResolution(StrEnum):
    """What the buyer would like in the end; the seller decides (``exchange`` and ``replacement``
    only where the policy allows exchanges)."""

    REFUND = "refund"
    EXCHANGE = "exchange"
    REPLACEMENT = "replacement"
    KEEP_ITEM = "keep_item"


# The resolutions that send the buyer goods again: refused under a policy without exchanges.
EXCHANGING_RESOLUTIONS = frozenset({PreferredResolution.EXCHANGE, PreferredResolution.REPLACEMENT})


@dataclass(frozen=True)
class RequestedLine:
    """One order line the buyer returns: how many units, and why (and, for an exchange, the
    variant wanted instead; blank when none is named)."""

    line: str
    quantity: int
    reason: Reason
    note: str = ""
    exchange_variant_id: str = ""


@dataclass(frozen=True)
class LineInspection:
    """The seller's verdict on one returned line."""

    line: str
    outcome: LineOutcome
    condition: Condition

    def check(self) -> None:
        """Refuse a verdict that contradicts itself: an item accepted although it is not the item sold."""
        if self.outcome == LineOutcome.ACCEPTED and self.condition == Condition.NOT_THE_ITEM:
            raise ConditionContradictsOutcome(
                f"Line {self.line!r} is not the item sold, so it cannot be accepted: reject it."
            )

    @property
    def anomaly(self) -> Anomaly | None:
        """The receipt anomaly this verdict records: a parcel holding another item than the one sold."""
        return Anomaly.ITEM_MISMATCH if self.condition == Condition.NOT_THE_ITEM else None
