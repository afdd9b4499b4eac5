"""Moving a return: approve, reject, cancel, receive, inspect and close.

Each action is one service: it checks the lifecycle, changes the return, appends exactly one
event and sets the next deadline; a refused action changes nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

import pytest

from returndesk.core.errors import ForbiddenAction, InvalidTransition
from returndesk.policies.domain.reasons import Reason
from returndesk.returns import services
from returndesk.returns.domain.lifecycle import (
    Condition,
    LineOutcome,
    NotAllLinesRejected,
    NotYetDue,
    Status,
)
from returndesk.returns.domain.requests import LineInspection, RequestedLine
from returndesk.returns.errors import (
    DuplicateLine,
    InspectionIncomplete,
    LineNotInReturn,
    ReasonRequired,
    ReturnNotFound,
)
from returndesk.returns.models import Return, ReturnEvent
from returndesk.scenarios.journeys import return_to
from returndesk.testing import NOW, Keys, iso

# Constraints, locking, raw SQL and query plans: these also run on PostgreSQL (make pytest-postgres).
pytestmark = pytest.mark.database

HOUR = timedelta(hours=1)
DAY = timedelta(days=1)
US = timedelta(microseconds=1)
# The buyer's chance to escalate; nothing closes before it ends.
ESCALATION = timedelta(days=15)
T1, T2, T3, T4 = NOW + HOUR, NOW + 2 * HOUR, NOW + 3 * HOUR, NOW + 4 * HOUR
ACCEPTED, REJECTED = LineOutcome.ACCEPTED, LineOutcome.REJECTED


def snapshot(code: str) -> dict[str, Any]:
    """Everything an action may change, read back from the database."""
    ret = Return.objects.get(code=code)
    return {
        "status": ret.status,
        "status_since": ret.status_since,
        "closed_from": ret.closed_from,
        "ship_by": ret.ship_by,
        "due_at": ret.due_at,
        "due_action": ret.due_action,
        "parcel_recorded": ret.parcel_recorded,
        "updated_at": ret.updated_at,
        "lines": list(ret.lines.order_by("id").values_list("outcome", "condition")),
        "events": ret.events.count(),
    }


def last_event(code: str) -> dict[str, Any]:
    return (
        ReturnEvent.objects.filter(return_request__code=code)
        .order_by("id")
        .values(
            "at",
            "actor_kind",
            "actor_id",
            "on_behalf_of",
            "action",
            "from_status",
            "to_status",
            "reason",
            "data",
        )
        .last()
        or {}
    )


@pytest.fixture
def two_line_return(make_order, keys) -> Return:
    """A return of one Lamp (L1) and one Cable (L2), requested at NOW."""
    return services.return_open(
        actor=keys.actors["platform"],
        order_external_id=make_order().external_id,
        now=NOW,
        lines=[
            RequestedLine(line="L1", quantity=1, reason=Reason.DEFECTIVE),
            RequestedLine(line="L2", quantity=1, reason=Reason.CHANGED_MIND),
        ],
    )


# The action under test is called directly, with its caller and time. Scenes are set with
# ``return_to``, whose steps run an hour apart from T1 (approve, reject or cancel at T1, receive
# at T2, inspect at T3): the times the assertions expect.


def inspect(ret: Return, keys: Keys, *outcomes: tuple[str, LineOutcome, Condition], now: datetime = T3) -> Return:
    return services.return_inspect(
        code=ret.code,
        actor=keys.actors["seller_a"],
        now=now,
        lines=[
            LineInspection(line=line, outcome=outcome, condition=condition) for line, outcome, condition in outcomes
        ],
    )


# --- approve -----------------------------------------------------------------------------------


def test_approve_sets_ship_by_ten_days_out_and_the_expiry_clock(make_return, keys):
    ret = make_return()

    services.return_approve(code=ret.code, actor=keys.actors["seller_a"], now=T1)

    assert snapshot(ret.code) == {
        "status": Status.APPROVED,
        "status_since": T1,
        "closed_from": "",
        "ship_by": T1 + 10 * DAY,
        "due_at": T1 + 10 * DAY,
        "due_action": "expire",
        "parcel_recorded": False,
        "updated_at": T1,
        "lines": [("pending", "")],
        "events": 2,
    }
    assert last_event(ret.code) == {
        "at": T1,
        "actor_kind": "seller_key",
        "actor_id": keys.actors["seller_a"].id,
        "on_behalf_of": "",
        "action": "approve",
        "from_status": "requested",
        "to_status": "approved",
        "reason": "",
        "data": {},
    }


# --- reject ------------------------------------------------------------------------------------


def test_reject_records_the_reason_and_the_closing_clock(make_return, keys):
    ret = make_return()

    services.return_reject(code=ret.code, actor=keys.actors["platform"], reason="Item shows wear", now=T1)

    assert snapshot(ret.code) | {"lines": None} == {
        "status": Status.REJECTED,
        "status_since": T1,
        "closed_from": "",
        "ship_by": None,
        "due_at": T1 + 15 * DAY,
        "due_action": "close",
        "parcel_recorded": False,
        "updated_at": T1,
        "lines": None,
        "events": 2,
    }
    assert last_event(ret.code) == {
        "at": T1,
        "actor_kind": "platform",
        "actor_id": keys.actors["platform"].id,
        "on_behalf_of": "",
        "action": "reject",
        "from_status": "requested",
        "to_status": "rejected",
        "reason": "Item shows wear",
        "data": {},
    }


@pytest.mark.parametrize("reason", ["", "   "], ids=["empty", "spaces"])
def test_reject_without_a_reason_is_refused_and_changes_nothing(make_return, keys, reason):
    ret = make_return()
    before = snapshot(ret.code)

    with pytest.raises(ReasonRequired):
        services.return_reject(code=ret.code, actor=keys.actors["seller_a"], reason=reason, now=T1)

    assert snapshot(ret.code) == before


# --- cancel ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scene", "before"),
    [
        (Status.REQUESTED, ("requested", None, 1)),
        (Status.APPROVED, ("approved", T1 + 10 * DAY, 2)),
    ],
    ids=["from-requested", "from-approved"],
)
def test_cancel_by_the_platform_is_recorded_on_behalf_of_the_buyer(make_return, keys, scene, before):
    from_status, ship_by, events = before
    ret = return_to(make_return(), scene)

    services.return_cancel(code=ret.code, actor=keys.actors["platform"], reason="Bought elsewhere", now=T2)

    assert snapshot(ret.code) == {
        "status": Status.CANCELLED,
        "status_since": T2,
        "closed_from": "",
        "ship_by": ship_by,
        "due_at": None,
        "due_action": "",
        "parcel_recorded": False,
        "updated_at": T2,
        "lines": [("pending", "")],
        "events": events + 1,
    }
    assert last_event(ret.code) == {
        "at": T2,
        "actor_kind": "platform",
        "actor_id": keys.actors["platform"].id,
        "on_behalf_of": "B-1",
        "action": "cancel",
        "from_status": from_status,
        "to_status": "cancelled",
        "reason": "Bought elsewhere",
        "data": {},
    }


# --- receive -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("scene", "events"),
    [
        (Status.APPROVED, 2),
        # The handover and the expiry append their own events on the way.
        (Status.IN_TRANSIT, 3),
        (Status.EXPIRED, 3),
    ],
    ids=["approved", "in_transit", "expired"],
)
def test_receive_records_the_parcel_and_the_inspection_clock(make_return, keys, scene, events):
    ret = return_to(make_return(), scene)

    services.return_receive(code=ret.code, actor=keys.actors["seller_a"], note="Box dented", now=T2)

    assert snapshot(ret.code) == {
        "status": Status.RECEIVED,
        "status_since": T2,
        "closed_from": "",
        "ship_by": T1 + 10 * DAY,
        "due_at": T2 + 5 * DAY,
        "due_action": "inspect",
        "parcel_recorded": True,
        "updated_at": T2,
        "lines": [("pending", "")],
        "events": events + 1,
    }
    assert last_event(ret.code) == {
        "at": T2,
        "actor_kind": "seller_key",
        "actor_id": keys.actors["seller_a"].id,
        "on_behalf_of": "",
        "action": "receive",
        "from_status": scene,
        "to_status": "received",
        "reason": "Box dented",
        "data": {},
    }


# --- inspect -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("outcomes", "due"),
    [
        pytest.param((ACCEPTED, ACCEPTED), (T3 + 2 * DAY, "refund"), id="all-accepted"),
        pytest.param((ACCEPTED, REJECTED), (T3 + 2 * DAY, "refund"), id="one-accepted"),
        pytest.param((REJECTED, REJECTED), (T3 + 15 * DAY, "close"), id="all-rejected"),
    ],
)
def test_inspect_records_each_line_and_the_next_clock(two_line_return, keys, outcomes, due):
    return_to(two_line_return, Status.RECEIVED)

    inspect(two_line_return, keys, ("L2", outcomes[1], Condition.OPENED), ("L1", outcomes[0], Condition.DAMAGED))

    assert snapshot(two_line_return.code) == {
        "status": Status.INSPECTED,
        "status_since": T3,
        "closed_from": "",
        "ship_by": T1 + 10 * DAY,
        "due_at": due[0],
        "due_action": due[1],
        "parcel_recorded": True,
        "updated_at": T3,
        "lines": [(outcomes[0], "damaged"), (outcomes[1], "opened")],
        "events": 4,
    }
    assert last_event(two_line_return.code) == {
        "at": T3,
        "actor_kind": "seller_key",
        "actor_id": keys.actors["seller_a"].id,
        "on_behalf_of": "",
        "action": "inspect",
        "from_status": "received",
        "to_status": "inspected",
        "reason": "",
        "data": {
            "lines": [
                {"line": "L2", "outcome": outcomes[1], "condition": "opened"},
                {"line": "L1", "outcome": outcomes[0], "condition": "damaged"},
            ]
        },
    }


@pytest.mark.parametrize(
    ("outcomes", "error", "code"),
    [
        pytest.param(
            (("L1", ACCEPTED, Condition.AS_NEW),), InspectionIncomplete, "inspection_incomplete", id="a-line-missing"
        ),
        pytest.param(
            (
                ("L1", ACCEPTED, Condition.AS_NEW),
                ("L2", ACCEPTED, Condition.AS_NEW),
                ("L9", ACCEPTED, Condition.AS_NEW),
            ),
            LineNotInReturn,
            "line_not_in_return",
            id="an-extra-line",
        ),
        pytest.param(
            (("L1", ACCEPTED, Condition.AS_NEW), ("L2", ACCEPTED, Condition.AS_NEW), ("L1", REJECTED, Condition.USED)),
            DuplicateLine,
            "duplicate_line",
            id="a-line-twice",
        ),
    ],
)
def test_inspect_needs_exactly_the_returns_lines(two_line_return, keys, outcomes, error, code):
    return_to(two_line_return, Status.RECEIVED)
    before = snapshot(two_line_return.code)

    with pytest.raises(error) as refused:
        inspect(two_line_return, keys, *outcomes)

    assert (refused.value.status, refused.value.code) == (422, code)
    assert snapshot(two_line_return.code) == before


def test_inspect_names_a_line_of_the_order_that_is_not_in_the_return(make_return, keys):
    ret = return_to(make_return(line="L1"), Status.RECEIVED)
    before = snapshot(ret.code)

    with pytest.raises(LineNotInReturn) as refused:
        inspect(ret, keys, ("L1", ACCEPTED, Condition.AS_NEW), ("L2", ACCEPTED, Condition.AS_NEW))

    assert refused.value.detail == "The return has no line 'L2'."
    assert snapshot(ret.code) == before


# --- close -------------------------------------------------------------------------------------


def test_close_a_rejected_return(make_return, keys):
    ret = return_to(make_return(), Status.REJECTED)

    services.return_close(code=ret.code, actor=keys.actors["platform"], now=T1 + ESCALATION)

    assert snapshot(ret.code) | {"lines": None} == {
        "status": Status.CLOSED,
        "status_since": T1 + ESCALATION,
        "closed_from": "rejected",
        "ship_by": None,
        "due_at": None,
        "due_action": "",
        "parcel_recorded": False,
        "updated_at": T1 + ESCALATION,
        "lines": None,
        "events": 3,
    }
    assert last_event(ret.code) == {
        "at": T1 + ESCALATION,
        "actor_kind": "platform",
        "actor_id": keys.actors["platform"].id,
        "on_behalf_of": "",
        "action": "close",
        "from_status": "rejected",
        "to_status": "closed",
        "reason": "",
        "data": {},
    }


def test_close_an_inspected_return_whose_every_line_was_rejected(two_line_return, keys):
    return_to(two_line_return, Status.RECEIVED)
    inspect(two_line_return, keys, ("L1", REJECTED, Condition.USED), ("L2", REJECTED, Condition.USED))

    services.return_close(code=two_line_return.code, actor=keys.actors["platform"], now=T3 + ESCALATION)

    assert snapshot(two_line_return.code) | {"ship_by": None, "lines": None} == {
        "status": Status.CLOSED,
        "status_since": T3 + ESCALATION,
        "closed_from": "inspected",
        "ship_by": None,
        "due_at": None,
        "due_action": "",
        "parcel_recorded": True,
        "updated_at": T3 + ESCALATION,
        "lines": None,
        "events": 5,
    }


def test_nobody_closes_while_the_buyer_may_still_escalate(make_return, keys):
    ret = return_to(make_return(), Status.REJECTED)
    before = snapshot(ret.code)

    with pytest.raises(NotYetDue) as refused:
        services.return_close(code=ret.code, actor=keys.actors["platform"], now=T1 + ESCALATION - US)

    assert (refused.value.status, refused.value.code, snapshot(ret.code)) == (409, "not_yet_due", before)


def test_close_refuses_an_inspected_return_with_an_accepted_line(two_line_return, keys):
    return_to(two_line_return, Status.RECEIVED)
    inspect(two_line_return, keys, ("L1", REJECTED, Condition.USED), ("L2", ACCEPTED, Condition.AS_NEW))
    before = snapshot(two_line_return.code)

    with pytest.raises(NotAllLinesRejected) as refused:
        services.return_close(code=two_line_return.code, actor=keys.actors["platform"], now=T4)

    assert (refused.value.status, refused.value.code) == (409, "lines_not_all_rejected")
    assert snapshot(two_line_return.code) == before


# --- refusals ----------------------------------------------------------------------------------


def _approve_call(ret: Return, keys: Keys) -> Return:
    return services.return_approve(code=ret.code, actor=keys.actors["seller_a"], now=T4)


def _reject_call(ret: Return, keys: Keys) -> Return:
    return services.return_reject(code=ret.code, actor=keys.actors["seller_a"], reason="No", now=T4)


def _cancel_call(ret: Return, keys: Keys) -> Return:
    return services.return_cancel(code=ret.code, actor=keys.actors["platform"], now=T4)


def _receive_call(ret: Return, keys: Keys) -> Return:
    return services.return_receive(code=ret.code, actor=keys.actors["seller_a"], now=T4)


def _inspect_call(ret: Return, keys: Keys) -> Return:
    return inspect(ret, keys, ("L1", ACCEPTED, Condition.AS_NEW), now=T4)


def _close_call(ret: Return, keys: Keys) -> Return:
    return services.return_close(code=ret.code, actor=keys.actors["platform"], now=T4)


WRONG_STATUS = [
    pytest.param(Status.APPROVED, _approve_call, id="approve-approved"),
    pytest.param(Status.REJECTED, _reject_call, id="reject-rejected"),
    pytest.param(Status.RECEIVED, _cancel_call, id="cancel-received"),
    pytest.param(Status.CANCELLED, _cancel_call, id="cancel-cancelled"),
    pytest.param(Status.REQUESTED, _receive_call, id="receive-requested"),
    pytest.param(Status.CANCELLED, _receive_call, id="receive-cancelled"),
    pytest.param(Status.APPROVED, _inspect_call, id="inspect-approved"),
    pytest.param(Status.REQUESTED, _close_call, id="close-requested"),
    pytest.param(Status.RECEIVED, _close_call, id="close-received"),
]


@pytest.mark.parametrize(("scene", "act"), WRONG_STATUS)
def test_an_action_from_the_wrong_status_is_refused_and_changes_nothing(
    make_return, keys, scene: Status, act: Callable[[Return, Keys], Return]
):
    ret = return_to(make_return(), scene)
    before = snapshot(ret.code)

    with pytest.raises(InvalidTransition) as refused:
        act(ret, keys)

    assert (refused.value.status, refused.value.code) == (409, "invalid_transition")
    assert snapshot(ret.code) == before


@pytest.mark.parametrize(
    ("key", "act"),
    [
        ("carrier", services.return_approve),
        ("agent", services.return_approve),
        ("seller_a", services.return_cancel),
        ("seller_a", services.return_close),
    ],
)
def test_a_caller_who_sees_the_return_but_may_not_act_gets_forbidden_action(make_return, keys, key, act):
    ret = make_return()
    before = snapshot(ret.code)

    with pytest.raises(ForbiddenAction) as refused:
        act(code=ret.code, actor=keys.actors[key], now=T1)

    assert (refused.value.status, refused.value.code) == (403, "forbidden_action")
    assert snapshot(ret.code) == before


def test_a_seller_acting_on_another_sellers_return_finds_nothing(make_return, keys):
    ret = make_return()
    before = snapshot(ret.code)

    with pytest.raises(ReturnNotFound) as refused:
        services.return_approve(code=ret.code, actor=keys.actors["seller_b"], now=T1)

    assert (refused.value.status, refused.value.code) == (404, "not_found")
    assert snapshot(ret.code) == before


def test_the_timeline_is_oldest_first(make_return, keys):
    ret = return_to(make_return(), Status.APPROVED)
    services.return_cancel(code=ret.code, actor=keys.actors["platform"], now=T2)

    response = keys.client("platform").get(f"/api/v1/returns/{ret.code}")

    assert [
        (event["at"], event["action"], event["from_status"], event["to_status"])
        for event in response.json()["timeline"]
    ] == [
        (iso(NOW), "request", None, "requested"),
        (iso(T1), "approve", "requested", "approved"),
        (iso(T2), "cancel", "approved", "cancelled"),
    ]


# --- Through the API ---------------------------------------------------------------------------


def post(keys: Keys, key: str, path: str, body: dict[str, Any] | None = None) -> Any:
    return keys.client(key).post(path, body if body is not None else {}, content_type="application/json")


def api_event(event: ReturnEvent) -> dict[str, Any]:
    return {
        "id": event.pk,
        "at": iso(event.at),
        "actor": {"kind": event.actor_kind, "id": event.actor_id, "on_behalf_of": event.on_behalf_of or None},
        "action": event.action,
        "from_status": event.from_status,
        "to_status": event.to_status,
        "reason": event.reason,
        "data": event.data,
    }


def assert_one_event_appended(response: Any, ret: Return, events_before: int, expected: dict[str, Any]) -> None:
    """The answer is the return with its timeline; exactly one event was appended, as expected."""
    body = response.json()
    event = ReturnEvent.objects.filter(return_request=ret).latest("id")
    assert response.status_code == 200
    assert ReturnEvent.objects.filter(return_request=ret).count() == events_before + 1
    assert (body["code"], body["status"], len(body["timeline"])) == (ret.code, expected["to_status"], events_before + 1)
    assert body["timeline"][-1] == api_event(event)
    assert {key: value for key, value in body["timeline"][-1].items() if key not in ("id", "at")} == expected


def test_api_approve(make_return, keys):
    ret = make_return()

    response = post(keys, "seller_a", f"/api/v1/returns/{ret.code}/approve")

    assert_one_event_appended(
        response,
        ret,
        1,
        {
            "actor": {"kind": "seller_key", "id": keys.actors["seller_a"].id, "on_behalf_of": None},
            "action": "approve",
            "from_status": "requested",
            "to_status": "approved",
            "reason": "",
            "data": {},
        },
    )
    approved_at = ReturnEvent.objects.filter(return_request=ret).latest("id").at
    body = response.json()
    assert (body["ship_by"], body["next_deadline"]) == (
        iso(approved_at + 10 * DAY),
        {"at": iso(approved_at + 10 * DAY), "action": "expire"},
    )


def test_api_reject(make_return, keys):
    ret = make_return()

    response = post(keys, "seller_a", f"/api/v1/returns/{ret.code}/reject", {"reason": "Not our item"})

    assert_one_event_appended(
        response,
        ret,
        1,
        {
            "actor": {"kind": "seller_key", "id": keys.actors["seller_a"].id, "on_behalf_of": None},
            "action": "reject",
            "from_status": "requested",
            "to_status": "rejected",
            "reason": "Not our item",
            "data": {},
        },
    )


@pytest.mark.parametrize(
    ("body", "error"),
    [
        ({}, {"loc": ["body", "payload", "reason"], "msg": "Field required", "type": "missing"}),
        (
            {"reason": ""},
            {
                "loc": ["body", "payload", "reason"],
                "msg": "String should have at least 1 character",
                "type": "string_too_short",
            },
        ),
    ],
    ids=["missing", "empty"],
)
def test_api_reject_requires_a_reason(make_return, keys, body, error):
    ret = make_return()
    before = snapshot(ret.code)

    response = post(keys, "seller_a", f"/api/v1/returns/{ret.code}/reject", body)

    assert (response.status_code, response["Content-Type"]) == (422, "application/problem+json")
    assert response.json() == {
        "type": "urn:returndesk:problem:validation_error",
        "title": "Some fields are invalid",
        "status": 422,
        "detail": "Some fields are invalid",
        "code": "validation_error",
        "errors": [error],
    }
    assert snapshot(ret.code) == before


def test_api_reject_with_a_blank_reason_is_refused(make_return, keys):
    ret = make_return()
    before = snapshot(ret.code)

    response = post(keys, "seller_a", f"/api/v1/returns/{ret.code}/reject", {"reason": "   "})

    assert response.status_code == 422
    assert snapshot(ret.code) == before


def test_api_cancel_by_the_platform_acts_for_the_buyer(make_return, keys):
    ret = make_return()

    response = post(keys, "platform", f"/api/v1/returns/{ret.code}/cancel", {"reason": "Changed plans"})

    assert_one_event_appended(
        response,
        ret,
        1,
        {
            "actor": {"kind": "platform", "id": keys.actors["platform"].id, "on_behalf_of": "B-1"},
            "action": "cancel",
            "from_status": "requested",
            "to_status": "cancelled",
            "reason": "Changed plans",
            "data": {},
        },
    )
    assert response.json()["next_deadline"] is None


def test_api_receive(make_return, keys):
    ret = return_to(make_return(), Status.APPROVED)

    response = post(keys, "seller_a", f"/api/v1/returns/{ret.code}/receive", {"note": "Tape torn"})

    assert_one_event_appended(
        response,
        ret,
        2,
        {
            "actor": {"kind": "seller_key", "id": keys.actors["seller_a"].id, "on_behalf_of": None},
            "action": "receive",
            "from_status": "approved",
            "to_status": "received",
            "reason": "Tape torn",
            # No items scanned: everything arrived (receiving's tally, in the event too).
            "data": {"lines": [{"line": "L1", "expected": 1, "scanned": 1, "result": "ok"}], "unmatched": []},
        },
    )


def test_api_inspect(two_line_return, keys):
    return_to(two_line_return, Status.RECEIVED)

    response = post(
        keys,
        "seller_a",
        f"/api/v1/returns/{two_line_return.code}/inspect",
        {
            "lines": [
                {"line": "L1", "outcome": "accepted", "condition": "as_new"},
                {"line": "L2", "outcome": "rejected", "condition": "missing_parts"},
            ]
        },
    )

    assert_one_event_appended(
        response,
        two_line_return,
        3,
        {
            "actor": {"kind": "seller_key", "id": keys.actors["seller_a"].id, "on_behalf_of": None},
            "action": "inspect",
            "from_status": "received",
            "to_status": "inspected",
            "reason": "",
            "data": {
                "lines": [
                    {"line": "L1", "outcome": "accepted", "condition": "as_new"},
                    {"line": "L2", "outcome": "rejected", "condition": "missing_parts"},
                ]
            },
        },
    )
    assert [(line["line"], line["outcome"], line["condition"]) for line in response.json()["lines"]] == [
        ("L1", "accepted", "as_new"),
        ("L2", "rejected", "missing_parts"),
    ]


def test_api_inspect_incomplete_is_422(two_line_return, keys):
    return_to(two_line_return, Status.RECEIVED)
    before = snapshot(two_line_return.code)

    response = post(
        keys,
        "seller_a",
        f"/api/v1/returns/{two_line_return.code}/inspect",
        {"lines": [{"line": "L2", "outcome": "accepted", "condition": "as_new"}]},
    )

    assert response.json() == {
        "type": "urn:returndesk:problem:inspection_incomplete",
        "title": "Every line of the return needs an outcome",
        "status": 422,
        "detail": "Line 'L1' needs an outcome.",
        "code": "inspection_incomplete",
    }
    assert snapshot(two_line_return.code) == before


def test_api_close(make_return, keys):
    ret = return_to(make_return(), Status.REJECTED)

    response = post(keys, "platform", f"/api/v1/returns/{ret.code}/close")

    assert_one_event_appended(
        response,
        ret,
        2,
        {
            "actor": {"kind": "platform", "id": keys.actors["platform"].id, "on_behalf_of": None},
            "action": "close",
            "from_status": "rejected",
            "to_status": "closed",
            "reason": "",
            "data": {},
        },
    )


def test_api_close_with_an_accepted_line_is_409(two_line_return, keys):
    return_to(two_line_return, Status.RECEIVED)
    inspect(two_line_return, keys, ("L1", REJECTED, Condition.USED), ("L2", ACCEPTED, Condition.AS_NEW))
    before = snapshot(two_line_return.code)

    response = post(keys, "platform", f"/api/v1/returns/{two_line_return.code}/close")

    assert (response.status_code, response.json()["code"]) == (409, "lines_not_all_rejected")
    assert snapshot(two_line_return.code) == before


def test_api_wrong_status_is_409_invalid_transition(make_return, keys):
    ret = make_return()
    before = snapshot(ret.code)

    response = post(keys, "seller_a", f"/api/v1/returns/{ret.code}/receive")

    assert (response.status_code, response["Content-Type"]) == (409, "application/problem+json")
    assert response.json() == {
        "type": "urn:returndesk:problem:invalid_transition",
        "title": "This action is not possible in the return's current status",
        "status": 409,
        "detail": "The return is requested; 'receive' is not possible from there.",
        "code": "invalid_transition",
    }
    assert snapshot(ret.code) == before


def test_api_another_sellers_return_is_404(make_return, keys):
    ret = make_return()
    before = snapshot(ret.code)

    response = post(keys, "seller_b", f"/api/v1/returns/{ret.code}/approve")

    assert response.status_code == 404
    assert response.json() == {
        "type": "urn:returndesk:problem:not_found",
        "title": "No return with this code is visible to this key",
        "status": 404,
        "detail": "No return with this code is visible to this key",
        "code": "not_found",
    }
    assert snapshot(ret.code) == before


def test_api_forbidden_action_is_403(make_return, keys):
    ret = make_return()
    before = snapshot(ret.code)

    response = post(keys, "carrier", f"/api/v1/returns/{ret.code}/approve")

    assert (response.status_code, response.json()["code"]) == (403, "forbidden_action")
    assert snapshot(ret.code) == before


def test_api_the_code_in_the_path_is_normalised(make_return, keys):
    ret = make_return()
    typed = ret.code_display.lower()

    response = post(keys, "seller_a", f"/api/v1/returns/{typed}/approve")

    assert (response.status_code, response.json()["code"], response.json()["status"]) == (200, ret.code, "approved")
    assert Return.objects.get(pk=ret.pk).status == Status.APPROVED
