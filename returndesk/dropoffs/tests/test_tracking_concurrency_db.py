"""Concurrent repeats of one tracking event, with real threads on the test database (PostgreSQL
in ``make pytest-postgres``; Django's in-memory SQLite cannot share a database between threads)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.db import connection, connections

from returndesk.dropoffs.domain.tracking_events import TrackingStatus
from returndesk.dropoffs.models import TrackingEvent
from returndesk.dropoffs.services import return_handover, tracking_event_record
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.models import Return, ReturnEvent
from returndesk.scenarios.journeys import return_to
from returndesk.testing import Keys, at_once

pytestmark = [pytest.mark.database, pytest.mark.django_db(transaction=True)]

NUMBER = "RR123456785GB"


@pytest.fixture(autouse=True)
def _committing(db: None) -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("Django's in-memory SQLite test database cannot be shared by threads.")


def test_concurrent_repeats_of_one_event_apply_it_once(make_return, keys: Keys) -> None:
    keys.make("post_a", role="carrier", carrier="post")
    post = keys.actors["post_a"]
    ret = return_to(make_return(), Status.APPROVED)
    at = ret.updated_at + timedelta(hours=1)
    return_handover(actor=post, code=ret.code, carrier="post", point_id=None, tracking_number=NUMBER, now=at)
    before = ReturnEvent.objects.filter(return_request=ret).count()

    def deliver() -> tuple[bool, bool]:
        taken = tracking_event_record(
            actor=post,
            event_id="E1",
            tracking_number=NUMBER,
            status=TrackingStatus.DELIVERED,
            occurred_at=at,
            now=at,
        )
        return taken.matched, taken.duplicate

    answers = at_once(6, deliver, on_exit=connections.close_all)

    assert sorted(answers) == [(True, False)] + [(True, True)] * 5
    assert TrackingEvent.objects.count() == 1
    assert list(ReturnEvent.objects.filter(return_request=ret).values_list("action", flat=True))[before:] == [
        "tracking"
    ]
    assert Return.objects.get(pk=ret.pk).delivered_to_seller_at == at


def test_an_event_racing_the_handover_that_records_its_number_is_applied(make_return, keys: Keys) -> None:
    keys.make("post_a", role="carrier", carrier="post")
    post = keys.actors["post_a"]
    ret = return_to(make_return(), Status.APPROVED)
    at = ret.updated_at + timedelta(hours=1)
    work = [
        lambda: return_handover(
            actor=post, code=ret.code, carrier="post", point_id=None, tracking_number=NUMBER, now=at
        ),
        lambda: tracking_event_record(
            actor=post, event_id="E1", tracking_number=NUMBER, status=TrackingStatus.DELIVERED, occurred_at=at, now=at
        ),
    ]

    def either() -> object:
        return work.pop()()

    at_once(2, either, on_exit=connections.close_all)

    # Whichever came first, the number's lock made the other see it: the delivery is on the return.
    assert TrackingEvent.objects.values_list("return_request", "applied").get() == (ret.pk, True)
    assert Return.objects.get(pk=ret.pk).delivered_to_seller_at == at
