"""Who may post tracking events: carrier keys, of any carrier (a parcel's number travels between
carriers, as S10 numbers do between postal operators); nobody else."""

from __future__ import annotations

from datetime import timedelta

import pytest

from returndesk.dropoffs.models import TrackingEvent
from returndesk.returns.domain.lifecycle import Status
from returndesk.scenarios.journeys import return_to
from returndesk.testing import Keys, frozen_clock, iso
from returndesk.testing.api_matrix import ACCEPTED, FORBIDDEN, JSON, UNAUTH, answer, declared

pytestmark = pytest.mark.django_db

EXPECTED = {
    "platform": FORBIDDEN,
    "seller_a": FORBIDDEN,
    "seller_b": FORBIDDEN,
    "post_a": ACCEPTED,
    "post_b": ACCEPTED,
    "agent": FORBIDDEN,
    None: UNAUTH,
}


def test_who_may_post_tracking_events(keys: Keys, make_return) -> None:
    keys.make("post_a", role="carrier", carrier="post")
    keys.make("post_b", role="carrier", carrier="parcel")
    ret = return_to(make_return(), Status.APPROVED)  # seller A's
    at = ret.updated_at + timedelta(hours=1)

    answers = {}
    for caller in EXPECTED:
        body = {
            "event_id": f"E-{caller}",
            "tracking_number": "RR123456785GB",
            "status": "in_transit",
            "occurred_at": iso(at),
            "code": ret.code,
        }
        with frozen_clock(at):
            response = keys.client(caller).post("/api/v1/tracking-events", body, content_type=JSON)
        answers[caller] = answer(response)

    assert answers == EXPECTED
    assert {status for status, _, _ in answers.values()} <= declared("POST /tracking-events")
    assert sorted(TrackingEvent.objects.values_list("carrier", "event_id")) == [
        ("parcel", "E-post_b"),
        ("post", "E-post_a"),
    ]
