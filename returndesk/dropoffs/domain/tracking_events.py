"""What a carrier's tracking event does to the return it finds. Pure Python, no Django.

The service finds the return (by code, else by number), locks it and asks ``effect_of``; the
answer is what it attempts. An event never moves a return the carrier's scans have already moved
past: one older than the last event that changed the return only goes on the timeline.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final

from returndesk.returns.domain.lifecycle import RECEIVE_CLOCK_STATUSES, Status

# How far ahead of the server's clock a carrier's ``occurred_at`` may be (its clock may run fast).
CLOCK_SKEW: Final = timedelta(minutes=5)


class TrackingStatus(StrEnum):
    """A carrier's scan, as ``POST /tracking-events`` names it."""

    ACCEPTED = "accepted"
    IN_TRANSIT = "in_transit"
    OUT_FOR_DELIVERY = "out_for_delivery"
    DELIVERED = "delivered"
    EXCEPTION = "exception"
    RETURNED_TO_SENDER = "returned_to_sender"


class Effect(StrEnum):
    """What an event does to its return. ``handover`` is attempted: the handover service judges
    the return as a counter would, and a refusal leaves only the timeline entry."""

    HANDOVER = "handover"
    DELIVERY = "delivery"
    RETURN_TO_SENDER = "return_to_sender"
    TIMELINE = "timeline"


# The effects that change a return (a refused handover is recorded as TIMELINE).
CHANGES: frozenset[Effect] = frozenset({Effect.HANDOVER, Effect.DELIVERY, Effect.RETURN_TO_SENDER})


def effect_of(*, event: TrackingStatus, status: Status, occurred_at: datetime, last_change: datetime | None) -> Effect:
    """What an event of ``event`` status, scanned at ``occurred_at``, does to a return in
    ``status`` whose last change by a tracking event was scanned at ``last_change`` (None: none)."""
    if last_change is not None and occurred_at < last_change:
        return Effect.TIMELINE
    match event:
        case TrackingStatus.ACCEPTED:
            return Effect.HANDOVER
        case TrackingStatus.DELIVERED if status in RECEIVE_CLOCK_STATUSES:
            return Effect.DELIVERY
        case TrackingStatus.RETURNED_TO_SENDER if status is Status.IN_TRANSIT:
            return Effect.RETURN_TO_SENDER
        case _:
            return Effect.TIMELINE


def too_far_ahead(occurred_at: datetime, *, now: datetime) -> bool:
    """Whether a scan claims a time the carrier cannot have seen yet."""
    return occurred_at > now + CLOCK_SKEW
