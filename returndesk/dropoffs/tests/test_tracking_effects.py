"""What a tracking event does to the return it finds (``domain.tracking_events``): every
(event status, return status) pair, and the rule that older scans only go on the timeline.

Pure Python; the expected table is literal data from the contract, never derived from the module.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from itertools import product

import pytest

from returndesk.dropoffs.domain.tracking_events import Effect, TrackingStatus, effect_of, too_far_ahead
from returndesk.returns.domain.lifecycle import Status

NOW = datetime(2026, 5, 10, 12, 0, tzinfo=UTC)
US = timedelta(microseconds=1)
T, S, E = TrackingStatus, Status, Effect

# (event status, return status) -> effect; a pair not listed only goes on the timeline.
CHANGING = {
    **{(T.ACCEPTED, status): E.HANDOVER for status in Status},  # the handover service judges
    (T.DELIVERED, S.APPROVED): E.DELIVERY,
    (T.DELIVERED, S.IN_TRANSIT): E.DELIVERY,
    (T.DELIVERED, S.EXPIRED): E.DELIVERY,
    (T.RETURNED_TO_SENDER, S.IN_TRANSIT): E.RETURN_TO_SENDER,
}


def test_the_statuses_of_the_contract() -> None:
    assert [status.value for status in TrackingStatus] == [
        "accepted",
        "in_transit",
        "out_for_delivery",
        "delivered",
        "exception",
        "returned_to_sender",
    ]


@pytest.mark.parametrize(("event", "status"), list(product(TrackingStatus, Status)))
def test_every_event_on_every_status(event: TrackingStatus, status: Status) -> None:
    fresh = effect_of(event=event, status=status, occurred_at=NOW, last_change=None)
    same_instant = effect_of(event=event, status=status, occurred_at=NOW, last_change=NOW)
    older = effect_of(event=event, status=status, occurred_at=NOW - US, last_change=NOW)
    expected = CHANGING.get((event, status), E.TIMELINE)
    assert (fresh, same_instant, older) == (expected, expected, E.TIMELINE)


def test_five_minutes_ahead_is_the_limit() -> None:
    limit = NOW + timedelta(minutes=5)
    assert (too_far_ahead(limit, now=NOW), too_far_ahead(limit + US, now=NOW)) == (False, True)
