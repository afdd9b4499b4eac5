"""What callers ask of the return services, as plain frozen data. Pure Python.

The API's schemas, the pages, the demo and the tests all build these, so the services never see
a request body.
"""

from __future__ import annotations

from dataclasses import dataclass

from returndesk.returns.domain.lifecycle import Condition, LineOutcome, Reason


@dataclass(frozen=True)
class RequestedLine:
    """One order line the buyer returns: how many units, and why."""

    line: str
    quantity: int
    reason: Reason
    note: str = ""


@dataclass(frozen=True)
class LineInspection:
    """The seller's verdict on one returned line."""

    line: str
    outcome: LineOutcome
    condition: Condition
