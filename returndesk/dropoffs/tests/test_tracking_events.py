"""Tracking events (``tracking_event_record``): matching, duplicates, what each status does, the
timeline, events that wait for a handover, and the refusals. Service level; the API's own
behaviour is in test_tracking_api.py."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from returndesk.core.actors import Actor
from returndesk.core.errors import Forbidden, ReturndeskError, ValidationFailed
from returndesk.dropoffs.domain.tracking_events import TrackingStatus
from returndesk.dropoffs.errors import NotAcceptableAtCounter
from returndesk.dropoffs.models import Receipt, TrackingEvent
from returndesk.dropoffs.services import return_handover, tracking_event_record
from returndesk.returns.domain.lifecycle import DueAction, Status
from returndesk.returns.errors import BadCheckDigit, TrackingMismatch
from returndesk.returns.models import Return, ReturnEvent
from returndesk.scenarios.journeys import return_to
from returndesk.testing import NOW, Keys

pytestmark = pytest.mark.django_db

NUMBER = "RR123456785GB"
OTHER = "1Z999AA10123456784"
HOUR, DAY = timedelta(hours=1), timedelta(days=1)
# The scene's return is approved an hour after NOW (ship_by ten days later); events come after.
AT = NOW + 3 * HOUR


@pytest.fixture
def post(keys: Keys) -> Actor:
    keys.make("post_a", role="carrier", carrier="post")
    return keys.actors["post_a"]


def send(
    actor: Actor,
    status: str,
    *,
    event_id: str = "E1",
    number: str = NUMBER,
    occurred_at: datetime = AT - HOUR,
    code: str | None = None,
    carrier: str | None = None,
    now: datetime = AT,
) -> tuple[str, bool, bool]:
    taken = tracking_event_record(
        actor=actor,
        event_id=event_id,
        tracking_number=number,
        status=TrackingStatus(status),
        occurred_at=occurred_at,
        code=code,
        carrier=carrier,
        now=now,
    )
    return taken.event_id, taken.matched, taken.duplicate


def scan(event_id: str, status: str, occurred_at: datetime, *, number: str = NUMBER, **more: Any) -> dict[str, Any]:
    """A tracking event as its return's timeline shows it."""
    return {
        "event_id": event_id,
        "carrier": "post",
        "status": status,
        "tracking_number": number,
        "occurred_at": occurred_at.isoformat(),
        **more,
    }


def events_after(ret: Return, count: int) -> list[tuple[str, str, str, dict[str, Any]]]:
    """The timeline past its first ``count`` entries: (action, from, to, data)."""
    rows = ReturnEvent.objects.filter(return_request=ret).order_by("id")[count:]
    return [(row.action, row.from_status, row.to_status, row.data) for row in rows]


def fresh(ret: Return) -> Return:
    return Return.objects.get(pk=ret.pk)


@pytest.fixture
def approved(make_return: Callable[..., Return]) -> Return:
    return return_to(make_return(), Status.APPROVED)


@pytest.fixture
def in_transit(approved: Return, post: Actor) -> Return:
    """Handed over at a counter at AT - 2h with NUMBER."""
    return_handover(
        actor=post, code=approved.code, carrier="post", point_id=None, tracking_number=NUMBER, now=AT - 2 * HOUR
    )
    return fresh(approved)


# --- Matching ------------------------------------------------------------------------------------


def test_an_event_finding_no_return_is_kept_unapplied(post: Actor) -> None:
    assert send(post, "in_transit") == ("E1", False, False)
    event = TrackingEvent.objects.get()
    assert (event.carrier, event.tracking_number, event.return_request, event.applied, event.received_at) == (
        "post",
        NUMBER,
        None,
        False,
        AT,
    )


def test_an_event_found_by_number_goes_on_the_timeline(in_transit: Return, post: Actor) -> None:
    before = ReturnEvent.objects.filter(return_request=in_transit).count()

    assert send(post, "out_for_delivery", occurred_at=AT - HOUR) == ("E1", True, False)

    assert events_after(in_transit, before) == [
        ("tracking", "in_transit", "in_transit", scan("E1", "out_for_delivery", AT - HOUR))
    ]
    assert (fresh(in_transit).status, fresh(in_transit).updated_at) == (Status.IN_TRANSIT, AT)
    assert TrackingEvent.objects.values_list("return_request", "applied", "effect").get() == (
        in_transit.pk,
        True,
        "timeline",
    )


def test_an_event_found_by_code_sets_the_number_of_a_return_without_one(approved: Return, post: Actor) -> None:
    assert send(post, "exception", number="rr 1234 5678 5gb", code=approved.code.lower()) == ("E1", True, False)

    assert (fresh(approved).tracking_number, fresh(approved).status) == (NUMBER, Status.APPROVED)
    assert events_after(approved, 2) == [("tracking", "approved", "approved", scan("E1", "exception", AT - HOUR))]


def test_an_event_whose_code_names_a_return_with_another_number_is_refused(in_transit: Return, post: Actor) -> None:
    before = ReturnEvent.objects.filter(return_request=in_transit).count()
    with pytest.raises(TrackingMismatch) as refused:
        send(post, "delivered", number=OTHER, code=in_transit.code)
    assert (refused.value.status, refused.value.code) == (409, "tracking_mismatch")
    assert (TrackingEvent.objects.count(), fresh(in_transit).delivered_to_seller_at) == (0, None)
    assert events_after(in_transit, before) == []


def test_a_number_already_on_another_return_is_refused(in_transit: Return, make_return, post: Actor) -> None:
    other = return_to(make_return(), Status.APPROVED)
    with pytest.raises(TrackingMismatch):
        send(post, "in_transit", code=other.code)
    assert (TrackingEvent.objects.count(), fresh(other).tracking_number) == (0, "")


def test_an_unknown_code_keeps_the_event_waiting(post: Actor) -> None:
    assert send(post, "in_transit", code="K7Q2-XM4D-9T30-6") == ("E1", False, False)
    assert TrackingEvent.objects.values_list("code", "applied").get() == ("K7Q2XM4D9T306", False)


# --- Duplicates ----------------------------------------------------------------------------------


def test_a_repeated_event_id_changes_nothing(in_transit: Return, post: Actor) -> None:
    send(post, "in_transit")
    before = ReturnEvent.objects.filter(return_request=in_transit).count()

    # Even when the repeat says something else: the first report of an event id stands.
    assert send(post, "delivered", occurred_at=AT) == ("E1", True, True)

    assert (TrackingEvent.objects.count(), fresh(in_transit).delivered_to_seller_at) == (1, None)
    assert events_after(in_transit, before) == []


def test_event_ids_are_per_carrier(in_transit: Return, post: Actor, keys: Keys) -> None:
    keys.make("parcel", role="carrier", carrier="parcel")
    assert [send(post, "in_transit"), send(keys.actors["parcel"], "in_transit")] == [
        ("E1", True, False),
        ("E1", True, False),
    ]


# --- What each status does -----------------------------------------------------------------------


def test_delivered_starts_the_receive_clock(in_transit: Return, post: Actor) -> None:
    send(post, "delivered", occurred_at=AT - HOUR)

    ret = fresh(in_transit)
    assert (ret.status, ret.delivered_to_seller_at, ret.due_action, ret.due_at) == (
        Status.IN_TRANSIT,
        AT - HOUR,
        DueAction.RECEIVE,
        AT - HOUR + 5 * DAY,
    )
    assert TrackingEvent.objects.values_list("effect", flat=True).get() == "delivery"


def test_delivered_on_an_expired_return_replaces_nothing_but_the_deadline(make_return, post: Actor) -> None:
    expired = return_to(make_return(), Status.EXPIRED)
    at = expired.status_since + DAY

    send(post, "delivered", code=expired.code, occurred_at=at - HOUR, now=at)

    ret = fresh(expired)
    assert (ret.status, ret.tracking_number, ret.delivered_to_seller_at, ret.due_action, ret.due_at) == (
        Status.EXPIRED,
        NUMBER,
        at - HOUR,
        DueAction.RECEIVE,
        at - HOUR + 5 * DAY,
    )


def test_delivered_after_receipt_only_goes_on_the_timeline(make_return, post: Actor) -> None:
    received = return_to(make_return(), Status.RECEIVED)
    send(post, "delivered", code=received.code)
    ret = fresh(received)
    assert (ret.delivered_to_seller_at, ret.due_action) == (None, DueAction.INSPECT)
    assert events_after(received, 3)[-1][:3] == ("tracking", "received", "received")


def test_returned_to_sender_makes_the_return_approved_again(in_transit: Return, post: Actor) -> None:
    send(post, "delivered", event_id="E0", occurred_at=AT - 90 * timedelta(minutes=1))
    before = ReturnEvent.objects.filter(return_request=in_transit).count()

    send(post, "returned_to_sender", occurred_at=AT - HOUR)

    ret = fresh(in_transit)
    assert (ret.status, ret.ship_by, ret.tracking_number, ret.delivered_to_seller_at, ret.due_action) == (
        Status.APPROVED,
        AT + 10 * DAY,
        "",
        None,
        DueAction.EXPIRE,
    )
    assert list(Receipt.objects.filter(return_request=ret).values_list("current", flat=True)) == [False]
    assert events_after(in_transit, before) == [
        ("return_to_sender", "in_transit", "approved", {"tracking": scan("E1", "returned_to_sender", AT - HOUR)})
    ]


def test_returned_to_sender_of_a_return_not_in_transit_only_goes_on_the_timeline(approved: Return, post: Actor) -> None:
    send(post, "returned_to_sender", code=approved.code)
    assert (fresh(approved).status, fresh(approved).ship_by) == (Status.APPROVED, approved.ship_by)
    assert events_after(approved, 2) == [
        ("tracking", "approved", "approved", scan("E1", "returned_to_sender", AT - HOUR))
    ]


def test_an_older_scan_than_the_last_change_only_goes_on_the_timeline(in_transit: Return, post: Actor) -> None:
    send(post, "delivered", event_id="E2", occurred_at=AT - HOUR)
    before = ReturnEvent.objects.filter(return_request=in_transit).count()

    send(post, "returned_to_sender", event_id="E1", occurred_at=AT - 2 * HOUR)

    ret = fresh(in_transit)
    assert (ret.status, ret.delivered_to_seller_at) == (Status.IN_TRANSIT, AT - HOUR)
    assert events_after(in_transit, before) == [
        ("tracking", "in_transit", "in_transit", scan("E1", "returned_to_sender", AT - 2 * HOUR, stale=True))
    ]


# --- accepted: the handover ----------------------------------------------------------------------


def test_accepted_hands_the_return_over_at_the_scan_time(approved: Return, post: Actor) -> None:
    assert approved.ship_by is not None
    late = approved.ship_by + DAY  # the scan comes a day after ship_by, but happened before it
    send(post, "accepted", code=approved.code, occurred_at=approved.ship_by, now=late)

    ret = fresh(approved)
    receipt = Receipt.objects.get(return_request=ret)
    assert (ret.status, ret.tracking_number, ret.status_since) == (Status.IN_TRANSIT, NUMBER, late)
    assert (receipt.accepted_at, receipt.at, receipt.carrier, receipt.point, receipt.current) == (
        approved.ship_by,
        late,
        "post",
        None,
        True,
    )
    ((action, from_status, to_status, data),) = events_after(approved, 2)
    assert (action, from_status, to_status, data["tracking"]) == (
        "handover",
        "approved",
        "in_transit",
        scan("E1", "accepted", approved.ship_by),
    )
    assert TrackingEvent.objects.values_list("effect", flat=True).get() == "handover"


@pytest.mark.parametrize(
    ("status", "result"),
    [(Status.REQUESTED, "not_acceptable"), (Status.CANCELLED, "cancelled"), (Status.RECEIVED, "used")],
)
def test_an_accepted_scan_the_handover_refuses_only_goes_on_the_timeline(
    make_return, post: Actor, status: Status, result: str
) -> None:
    ret = return_to(make_return(), status)
    before = ReturnEvent.objects.filter(return_request=ret).count()

    assert send(post, "accepted", code=ret.code, now=ret.updated_at + HOUR, occurred_at=ret.updated_at) == (
        "E1",
        True,
        False,
    )

    assert (fresh(ret).status, Receipt.objects.count()) == (status, 0)
    assert events_after(ret, before) == [
        ("tracking", status, status, scan("E1", "accepted", ret.updated_at, result=result))
    ]


def test_an_accepted_scan_after_ship_by_is_refused_as_expired(approved: Return, post: Actor) -> None:
    assert approved.ship_by is not None
    after = approved.ship_by + timedelta(seconds=1)

    send(post, "accepted", code=approved.code, occurred_at=after, now=after)

    assert (fresh(approved).status, fresh(approved).tracking_number, Receipt.objects.count()) == (
        Status.APPROVED,
        NUMBER,
        0,
    )
    assert events_after(approved, 2) == [
        ("tracking", "approved", "approved", scan("E1", "accepted", after, result="expired"))
    ]


def test_an_accepted_scan_from_before_the_approval_is_refused_as_awaiting_it(approved: Return, post: Actor) -> None:
    before = approved.status_since - timedelta(seconds=1)

    send(post, "accepted", code=approved.code, occurred_at=before, now=approved.status_since + HOUR)

    assert (fresh(approved).status, Receipt.objects.count()) == (Status.APPROVED, 0)
    assert events_after(approved, 2) == [
        ("tracking", "approved", "approved", scan("E1", "accepted", before, result="not_acceptable"))
    ]


def test_an_offline_acceptance_from_before_a_return_to_sender_is_refused_as_used(
    in_transit: Return, post: Actor
) -> None:
    # Back from the carrier at AT - 1h and approved again: a counter's offline acceptance dated
    # in the first trip (AT - 90 min, its parcel with the carrier then) hands nothing over. (A
    # carrier's scan that old is stale, only shown.)
    send(post, "returned_to_sender", occurred_at=AT - HOUR)
    late = AT - 90 * timedelta(minutes=1)

    with pytest.raises(NotAcceptableAtCounter) as refused:
        return_handover(actor=post, code=in_transit.code, carrier="post", point_id=None, accepted_at=late, offline=True)

    assert (refused.value.extra["result"], refused.value.extra["reason"]) == ("used", None)
    assert (fresh(in_transit).status, Receipt.objects.filter(current=True).count()) == (Status.APPROVED, 0)


def test_an_offline_acceptance_of_a_return_since_handed_over_is_refused_as_used(
    in_transit: Return, post: Actor
) -> None:
    # Handed over at AT - 2h; another counter's offline acceptance dated before that is refused
    # as the code's use, whenever it is dated.
    with pytest.raises(NotAcceptableAtCounter) as refused:
        return_handover(
            actor=post, code=in_transit.code, carrier="post", point_id=None, accepted_at=AT - 3 * HOUR, offline=True
        )

    assert refused.value.extra["result"] == "used"


# --- Events waiting for a handover ---------------------------------------------------------------


def test_a_handover_recording_the_number_applies_the_waiting_events_oldest_first(approved: Return, post: Actor) -> None:
    send(post, "delivered", event_id="E2", occurred_at=AT)
    send(post, "in_transit", event_id="E1", occurred_at=AT - HOUR)

    return_handover(
        actor=post, code=approved.code, carrier="post", point_id=None, tracking_number=NUMBER, now=AT + HOUR
    )

    ret = fresh(approved)
    assert (ret.status, ret.delivered_to_seller_at, ret.due_action) == (Status.IN_TRANSIT, AT, DueAction.RECEIVE)
    assert [entry[0] for entry in events_after(approved, 2)] == ["handover", "tracking", "tracking"]
    assert [entry[3] for entry in events_after(approved, 3)] == [
        scan("E1", "in_transit", AT - HOUR),
        scan("E2", "delivered", AT),
    ]
    assert list(TrackingEvent.objects.order_by("event_id").values_list("return_request", "applied")) == [
        (ret.pk, True),
        (ret.pk, True),
    ]


def test_a_handover_without_a_number_leaves_waiting_events_waiting(approved: Return, post: Actor) -> None:
    send(post, "in_transit")
    return_handover(actor=post, code=approved.code, carrier="post", point_id=None, now=AT + HOUR)
    assert TrackingEvent.objects.values_list("return_request", "applied").get() == (None, False)


# --- Refusals ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("change", "refusal"),
    [
        ({"number": "RR123456784GB"}, (BadCheckDigit, ["body", "tracking_number"], "S10 check digit should be 5")),
        (
            {"number": "short"},
            (
                ValidationFailed,
                ["body", "tracking_number"],
                "A tracking number is 8 to 40 letters A-Z and digits (spaces are ignored)",
            ),
        ),
        (
            {"occurred_at": AT + timedelta(minutes=5, microseconds=1)},
            (ValidationFailed, ["body", "occurred_at"], "A scan cannot happen more than 5 minutes in the future."),
        ),
        (
            {"carrier": "parcel"},
            (ValidationFailed, ["body", "carrier"], "This key reports the parcels of carrier 'post' only."),
        ),
        (
            {"code": "K7Q2-XM4D-9T30-7"},
            (ValidationFailed, ["body", "code"], "Not a return code: 13 letters and digits with a valid check symbol."),
        ),
    ],
)
def test_bad_input_is_refused_and_kept_nowhere(
    in_transit: Return, post: Actor, change: dict[str, Any], refusal: tuple[type[ReturndeskError], list[str], str]
) -> None:
    error, loc, msg = refusal
    with pytest.raises(error) as refused:
        send(post, "delivered", **change)
    assert [{"loc": e["loc"], "msg": e["msg"]} for e in refused.value.errors or []] == [{"loc": loc, "msg": msg}]
    assert (refused.value.status, TrackingEvent.objects.count(), fresh(in_transit).delivered_to_seller_at) == (
        422,
        0,
        None,
    )


def test_five_minutes_ahead_is_still_taken(post: Actor) -> None:
    assert send(post, "in_transit", occurred_at=AT + timedelta(minutes=5)) == ("E1", False, False)


def test_only_carriers_report_tracking_events(keys: Keys) -> None:
    with pytest.raises(Forbidden):
        send(keys.actors["platform"], "in_transit")
    assert TrackingEvent.objects.count() == 0


def test_a_handover_with_a_number_already_on_another_return_is_refused(
    in_transit: Return, make_return, post: Actor
) -> None:
    other = return_to(make_return(), Status.APPROVED)
    with pytest.raises(TrackingMismatch):
        return_handover(actor=post, code=other.code, carrier="post", point_id=None, tracking_number=NUMBER, now=AT)
    assert (
        fresh(other).status,
        fresh(other).tracking_number,
        Receipt.objects.filter(return_request=other).count(),
    ) == (
        Status.APPROVED,
        "",
        0,
    )


def test_an_accepted_scan_by_code_applies_the_events_waiting_for_its_number(approved: Return, post: Actor) -> None:
    send(post, "delivered", event_id="E2", occurred_at=AT)

    send(post, "accepted", event_id="E1", code=approved.code, occurred_at=AT - HOUR, now=AT + HOUR)

    ret = fresh(approved)
    assert (ret.status, ret.tracking_number, ret.delivered_to_seller_at) == (Status.IN_TRANSIT, NUMBER, AT)
    waited = ReturnEvent.objects.filter(return_request=ret).latest("id")
    assert (waited.action, waited.actor_kind, waited.actor_id, waited.data) == (
        "tracking",
        "carrier",
        "post",
        scan("E2", "delivered", AT),
    )
