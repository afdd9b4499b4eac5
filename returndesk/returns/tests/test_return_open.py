"""Opening a return: its code, lines, clock and request event; every refusal writes nothing."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.utils import timezone

from returndesk.core.errors import Forbidden
from returndesk.marketplace.errors import OrderNotFound
from returndesk.marketplace.models import Order
from returndesk.policies.domain.reasons import Reason
from returndesk.returns import services
from returndesk.returns.domain import codes
from returndesk.returns.domain.lifecycle import Condition, LineOutcome, Status
from returndesk.returns.domain.requests import LineInspection, RequestedLine
from returndesk.returns.errors import (
    AlreadyReturned,
    DuplicateLine,
    FinalSale,
    LineNotInOrder,
    NotDelivered,
    QuantityExceeded,
    WindowClosed,
)
from returndesk.returns.models import Return, ReturnEvent, ReturnLine
from returndesk.scenarios.journeys import return_to
from returndesk.testing import NOW, Keys, force_status, iso

# Constraints, locking, raw SQL and query plans: these also run on PostgreSQL (make pytest-postgres).
pytestmark = pytest.mark.database

CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
HOUR = timedelta(hours=1)
# The buyer's chance to escalate; nothing closes before it ends.
ESCALATION = timedelta(days=15)


def mod37_2_valid(code: str) -> bool:
    """ISO/IEC 7064 MOD 37-2, pure system: the j-th symbol from the right weighs 2^(j-1); valid
    when the weighted sum is 1 mod 37. Written from the standard, not from ``codes``."""
    return (
        sum(CROCKFORD.index(symbol) * pow(2, position, 37) for position, symbol in enumerate(reversed(code))) % 37 == 1
    )


def written() -> tuple[int, int, int]:
    return Return.objects.count(), ReturnLine.objects.count(), ReturnEvent.objects.count()


def open_return(
    keys: Keys, order: Order, *lines: tuple[str, int], actor: str = "platform", now: datetime = NOW
) -> Return:
    return services.return_open(
        actor=keys.actors[actor],
        order_external_id=order.external_id,
        lines=[RequestedLine(line=line, quantity=quantity, reason=Reason.DEFECTIVE) for line, quantity in lines],
        now=now,
    )


# --- Opening -----------------------------------------------------------------------------------


def test_return_open_creates_a_requested_return_with_a_checked_code(make_order, keys):
    order = make_order(buyer="B-7")

    ret = services.return_open(
        actor=keys.actors["platform"],
        order_external_id=order.external_id,
        lines=[
            RequestedLine(line="L1", quantity=2, reason=Reason.SIZE_FIT, note="Too small"),
            RequestedLine(line="L2", quantity=1, reason=Reason.DEFECTIVE),
        ],
        now=NOW,
    )

    ret = Return.objects.get(pk=ret.pk)
    assert (len(ret.code), set(ret.code) <= set(CROCKFORD), mod37_2_valid(ret.code)) == (13, True, True)
    assert {
        "order": ret.order_id,
        "seller": ret.seller.external_id,
        "buyer": ret.buyer.external_id,
        "status": ret.status,
        "status_since": ret.status_since,
        "due_at": ret.due_at,
        "due_action": ret.due_action,
        "ship_by": ret.ship_by,
        "policy_version": ret.policy_id,
        "resolution": ret.resolution,
        "offer_open": ret.offer_open,
        "anomalies": list(ret.anomalies.all()),
        "parcel_recorded": ret.parcel_recorded,
        "created_at": ret.created_at,
        "updated_at": ret.updated_at,
    } == {
        "order": order.pk,
        "seller": "S-A",
        "buyer": "B-7",
        "status": Status.REQUESTED,
        "status_since": NOW,
        "due_at": NOW + timedelta(days=5),
        "due_action": "approve",
        "ship_by": None,
        "policy_version": 1,
        "resolution": "none",
        "offer_open": False,
        "anomalies": [],
        "parcel_recorded": False,
        "created_at": NOW,
        "updated_at": NOW,
    }
    assert list(
        ret.lines.order_by("id").values_list(
            "order_line__external_id", "quantity", "reason", "note", "outcome", "condition"
        )
    ) == [
        ("L1", 2, "size_fit", "Too small", "pending", ""),
        ("L2", 1, "defective", "", "pending", ""),
    ]
    assert list(
        ret.events.values(
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
    ) == [
        {
            "at": NOW,
            "actor_kind": "platform",
            "actor_id": keys.actors["platform"].id,
            "on_behalf_of": "B-7",
            "action": "request",
            "from_status": "",
            "to_status": "requested",
            "reason": "",
            "data": {
                "lines": [
                    {"line": "L1", "quantity": 2, "reason": "size_fit"},
                    {"line": "L2", "quantity": 1, "reason": "defective"},
                ]
            },
        }
    ]


def test_a_forced_code_clash_is_retried_with_a_fresh_code(make_order, make_return, keys, monkeypatch):
    first = make_return()
    drawn = iter([first.code, "K7Q2XM4D9T306"])
    monkeypatch.setattr(codes, "generate", lambda: next(drawn))

    second = open_return(keys, make_order(), ("L1", 1))

    assert second.code == "K7Q2XM4D9T306"
    assert sorted(Return.objects.values_list("code", flat=True)) == sorted([first.code, "K7Q2XM4D9T306"])
    assert list(drawn) == []
    assert (
        ReturnLine.objects.filter(return_request=second).count(),
        ReturnEvent.objects.filter(return_request=second).count(),
    ) == (1, 1)


# --- Quantities --------------------------------------------------------------------------------


# Puts a fresh return (opened at NOW) in the state whose units a test counts.
Scene = Callable[[Return, Keys], object]


def _reach(status: Status) -> Scene:
    return lambda ret, keys: return_to(ret, status)


def _close_after_expiry(ret: Return, keys: Keys) -> None:
    # No path of the lifecycle closes an expired return: the one state written by hand.
    force_status(return_to(ret, Status.EXPIRED), Status.CLOSED, closed_from=Status.EXPIRED)


def _close_after_inspection(ret: Return, keys: Keys) -> None:
    # Only a return whose every line was rejected closes after inspection.
    return_to(ret, Status.RECEIVED)
    services.return_inspect(
        code=ret.code,
        actor=keys.actors["seller_a"],
        now=NOW + 3 * HOUR,
        lines=[LineInspection(line="L1", outcome=LineOutcome.REJECTED, condition=Condition.USED)],
    )
    services.return_close(code=ret.code, actor=keys.actors["platform"], now=NOW + 3 * HOUR + ESCALATION)


HOLDING: dict[str, Scene] = {
    "requested": _reach(Status.REQUESTED),
    "approved": _reach(Status.APPROVED),
    "rejected": _reach(Status.REJECTED),
    "received": _reach(Status.RECEIVED),
    "closed_after_inspection": _close_after_inspection,
}
RELEASING: dict[str, Scene] = {
    "cancelled": _reach(Status.CANCELLED),
    "expired": _reach(Status.EXPIRED),
    "closed_after_rejection": _reach(Status.CLOSED),
    "closed_after_expiry": _close_after_expiry,
}


def test_more_units_than_bought_are_refused(make_order, keys):
    order = make_order()
    before = written()

    with pytest.raises(QuantityExceeded) as refused:
        open_return(keys, order, ("L1", 3))

    assert (refused.value.status, refused.value.code) == (422, "quantity_exceeded")
    assert refused.value.detail == "Only 2 of 2 units can still be returned."
    assert refused.value.extra == {"line": "L1", "available": 2}
    assert refused.value.errors == [
        {"loc": ["body", "lines", 0], "line": "L1", "code": "quantity_exceeded", "msg": refused.value.detail}
    ]
    assert written() == before


@pytest.mark.parametrize("state", HOLDING)
def test_units_held_by_another_return_are_not_returnable(make_order, make_return, keys, state):
    order = make_order()
    HOLDING[state](make_return(order=order, line="L1", quantity=1), keys)
    before = written()

    with pytest.raises(QuantityExceeded) as refused:
        open_return(keys, order, ("L2", 1), ("L1", 2))

    assert refused.value.extra == {"line": "L1", "available": 1}
    assert written() == before


def test_units_held_by_two_returns_add_up(make_order, make_return, keys):
    order = make_order()
    make_return(order=order, quantity=1)
    make_return(order=order, quantity=1)
    before = written()

    # Every unit held: already returned, not an excess (refusals come in the table's order).
    with pytest.raises(AlreadyReturned) as refused:
        open_return(keys, order, ("L1", 1))

    assert (refused.value.code, refused.value.detail) == ("already_returned", "Both units are already in a return.")
    assert refused.value.extra == {"line": "L1", "available": 0}
    assert written() == before


@pytest.mark.parametrize("state", RELEASING)
def test_units_of_a_released_return_are_returnable_again(make_order, make_return, keys, state):
    order = make_order()
    RELEASING[state](make_return(order=order, line="L1", quantity=2), keys)

    ret = open_return(keys, order, ("L1", 2), now=NOW + 5 * HOUR)

    assert list(ret.lines.values_list("order_line__external_id", "quantity")) == [("L1", 2)]
    assert Return.objects.filter(order=order).count() == 2


# --- Lines, delivery and the window ------------------------------------------------------------


def test_a_line_not_in_the_order_is_refused(make_order, keys):
    order = make_order()
    make_order(
        lines=[
            {
                "external_id": "L9",
                "sku": "SKU-9",
                "title": "Other",
                "quantity": 1,
                "unit_price": "5.00",
                "paid_amount": "5.00",
                "category": "home",
            }
        ]
    )
    before = written()

    with pytest.raises(LineNotInOrder) as refused:
        open_return(keys, order, ("L1", 1), ("L9", 1))

    assert (refused.value.status, refused.value.code) == (422, "line_not_in_order")
    assert refused.value.detail == f"Order {order.external_id!r} has no line 'L9'."
    assert written() == before


def test_an_undelivered_order_is_not_returnable(make_order, keys):
    order = make_order(delivered_at=None)
    before = written()

    with pytest.raises(NotDelivered) as refused:
        open_return(keys, order, ("L1", 1))

    assert (refused.value.status, refused.value.code) == (422, "not_delivered")
    assert written() == before


def _lines(l1_delivered: datetime | None) -> list[dict[str, Any]]:
    return [
        {
            "external_id": "L1",
            "sku": "SKU-1",
            "title": "Lamp",
            "quantity": 2,
            "unit_price": "20.00",
            "paid_amount": "36.00",
            "category": "home",
            "delivered_at": l1_delivered.isoformat() if l1_delivered else None,
        },
        {
            "external_id": "L2",
            "sku": "SKU-2",
            "title": "Cable",
            "quantity": 1,
            "unit_price": "24.00",
            "paid_amount": "24.00",
            "category": "electronics",
        },
    ]


def test_a_line_delivered_apart_is_returnable_before_the_order_is_delivered(make_order, keys):
    order = make_order(delivered_at=None, lines=_lines(NOW - timedelta(days=2)))

    ret = open_return(keys, order, ("L1", 1))

    assert ret.status == Status.REQUESTED
    before = written()
    with pytest.raises(NotDelivered):
        open_return(keys, order, ("L2", 1))
    assert written() == before


def test_a_line_delivered_later_than_the_order_keeps_its_own_window(make_order, keys):
    order = make_order(delivered_at=NOW - timedelta(days=40), lines=_lines(NOW - timedelta(days=2)))

    ret = open_return(keys, order, ("L1", 1))

    assert ret.status == Status.REQUESTED
    before = written()
    with pytest.raises(WindowClosed):
        open_return(keys, order, ("L2", 1))
    assert written() == before


# Madrid is UTC+1 until summer time starts on 29 March 2026, then UTC+2.
# Delivered 22:30 UTC on 1 Feb is 23:30 on 1 Feb in Madrid: the last day is 3 Mar, ending at
# 4 Mar 00:00 Madrid = 3 Mar 23:00 UTC. Delivered 23:30 UTC is 00:30 on 2 Feb in Madrid: the last
# day is 4 Mar, ending 4 Mar 23:00 UTC (an hour before the UTC day would end).
BEFORE_MIDNIGHT = datetime(2026, 2, 1, 22, 30, tzinfo=UTC)
AFTER_MIDNIGHT = datetime(2026, 2, 1, 23, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    ("delivered_at", "now"),
    [
        pytest.param(BEFORE_MIDNIGHT, datetime(2026, 3, 3, 22, 59, 59, 999999, tzinfo=UTC), id="last-instant"),
        pytest.param(
            AFTER_MIDNIGHT,
            datetime(2026, 3, 4, 22, 59, 59, 999999, tzinfo=UTC),
            id="delivered-after-local-midnight-last-instant",
        ),
        pytest.param(
            datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
            datetime(2026, 3, 31, 21, 59, 59, 999999, tzinfo=UTC),
            id="last-instant-in-summer-time",
        ),
    ],
)
def test_the_window_is_open_until_the_end_of_the_buyers_local_day(make_order, keys, delivered_at, now):
    order = make_order(delivered_at=delivered_at)

    ret = open_return(keys, order, ("L1", 1), now=now)

    assert (ret.status, ret.created_at) == (Status.REQUESTED, now)


@pytest.mark.parametrize(
    ("delivered_at", "now", "closed_at"),
    [
        pytest.param(
            BEFORE_MIDNIGHT, datetime(2026, 3, 3, 23, 0, tzinfo=UTC), "2026-03-04T00:00:00+01:00", id="local-midnight"
        ),
        pytest.param(
            AFTER_MIDNIGHT,
            datetime(2026, 3, 4, 23, 0, tzinfo=UTC),
            "2026-03-05T00:00:00+01:00",
            id="delivered-after-local-midnight",
        ),
        pytest.param(
            BEFORE_MIDNIGHT, datetime(2026, 3, 20, 12, 0, tzinfo=UTC), "2026-03-04T00:00:00+01:00", id="long-after"
        ),
        pytest.param(
            datetime(2026, 3, 1, 12, 0, tzinfo=UTC),
            datetime(2026, 3, 31, 22, 0, tzinfo=UTC),
            "2026-04-01T00:00:00+02:00",
            id="local-midnight-in-summer-time",
        ),
    ],
)
def test_the_window_closes_at_local_midnight_after_the_thirtieth_day(make_order, keys, delivered_at, now, closed_at):
    order = make_order(delivered_at=delivered_at)
    before = written()

    with pytest.raises(WindowClosed) as refused:
        open_return(keys, order, ("L1", 1), now=now)

    assert (refused.value.status, refused.value.code) == (422, "window_closed")
    assert refused.value.extra == {"window_closed_at": closed_at}
    assert written() == before


def test_a_final_sale_line_is_not_returnable(make_order, keys):
    lines = _lines(None)
    lines[1]["final_sale"] = True
    order = make_order(lines=lines)
    before = written()

    # Final sale refuses the buyer's choice only: the lines go back because the buyer changed their mind.
    with pytest.raises(FinalSale) as refused:
        services.return_open(
            actor=keys.actors["platform"],
            order_external_id=order.external_id,
            lines=[RequestedLine(line=line, quantity=1, reason=Reason.CHANGED_MIND) for line in ("L1", "L2")],
            now=NOW,
        )

    assert (refused.value.status, refused.value.code) == (422, "final_sale")
    assert refused.value.detail == (
        "Cable was sold as final sale: returnable only if faulty, wrong or not as described."
    )
    assert written() == before


def test_a_final_sale_line_is_returnable_when_faulty(make_order, keys):
    lines = _lines(None)
    lines[1]["final_sale"] = True
    order = make_order(lines=lines)

    ret = open_return(keys, order, ("L2", 1))

    assert list(ret.lines.values_list("order_line__external_id", "reason")) == [("L2", "defective")]


def test_a_line_named_twice_is_refused(make_order, keys):
    order = make_order()
    before = written()

    with pytest.raises(DuplicateLine) as refused:
        open_return(keys, order, ("L1", 1), ("L1", 1))

    assert (refused.value.status, refused.value.code) == (422, "duplicate_line")
    assert written() == before


def test_an_unknown_order_is_not_found(keys):
    before = written()

    with pytest.raises(OrderNotFound) as refused:
        services.return_open(
            actor=keys.actors["platform"],
            order_external_id="O-missing",
            lines=[RequestedLine(line="L1", quantity=1, reason=Reason.DEFECTIVE)],
            now=NOW,
        )

    assert (refused.value.status, refused.value.code) == (404, "order_not_found")
    assert written() == before


@pytest.mark.parametrize("key", ["seller_a", "seller_b", "carrier", "agent", "supervisor"])
def test_only_the_platform_opens_returns_for_buyers(make_order, keys, key):
    # A route-level refusal (403 forbidden, as for a carrier reading returns): there is no return
    # yet that the caller could see but not act on (403 forbidden_action).
    order = make_order()
    before = written()

    with pytest.raises(Forbidden) as refused:
        open_return(keys, order, ("L1", 1), actor=key)

    assert (refused.value.status, refused.value.code) == (403, "forbidden")
    assert written() == before


# --- Through the API ---------------------------------------------------------------------------


@pytest.fixture
def recent_order(make_order: Callable[..., Order]) -> Order:
    """An order delivered yesterday by the wall clock: the API opens returns at the real now."""
    now = timezone.now()
    return make_order(buyer="B-3", delivered_at=now - timedelta(days=1), now=now)


def test_post_returns_answers_201_with_the_return(recent_order, keys):
    response = keys.client("platform").post(
        "/api/v1/returns",
        {
            "order": recent_order.external_id,
            "lines": [{"line": "L1", "quantity": 1, "reason": "not_as_described", "note": "Wrong colour"}],
        },
        content_type="application/json",
    )

    assert response.status_code == 201
    body = response.json()
    ret = Return.objects.get()
    event = ReturnEvent.objects.get()
    assert body == {
        "code": ret.code,
        "code_display": f"{ret.code[:4]}-{ret.code[4:8]}-{ret.code[8:12]}-{ret.code[12]}",
        "status": "requested",
        "resolution": "none",
        "order": recent_order.external_id,
        "order_number": recent_order.number,
        "currency": "EUR",
        "seller": {"external_id": "S-A", "name": "Seller S-A"},
        "buyer": "B-3",
        "lines": [
            {
                "line": "L1",
                "sku": "SKU-1",
                "gtin": None,
                "title": "Lamp",
                "quantity": 1,
                "reason": "not_as_described",
                "note": "Wrong colour",
                "outcome": "pending",
                "condition": None,
                "paid_share": "18.00",
                "exchange_variant_id": None,
                "refunded": "0.00",
            }
        ],
        "anomalies": [],
        "ship_by": None,
        "tracking_number": None,
        "delivered_to_seller_at": None,
        "due_at": iso(ret.created_at + timedelta(days=5)),
        "due_action": "approve",
        "next_deadline": {"at": iso(ret.created_at + timedelta(days=5)), "action": "approve"},
        "policy_version": 1,
        "preferred_resolution": "refund",
        "created_at": iso(ret.created_at),
        "updated_at": iso(ret.created_at),
        "timeline": [
            {
                "id": event.pk,
                "at": iso(ret.created_at),
                "actor": {"kind": "platform", "id": keys.actors["platform"].id, "on_behalf_of": "B-3"},
                "action": "request",
                "from_status": None,
                "to_status": "requested",
                "reason": "",
                "data": {"lines": [{"line": "L1", "quantity": 1, "reason": "not_as_described"}]},
            }
        ],
    }
    assert mod37_2_valid(body["code"])


def test_post_returns_refusal_is_a_problem_and_writes_nothing(recent_order, keys):
    before = written()

    response = keys.client("platform").post(
        "/api/v1/returns",
        {
            "order": recent_order.external_id,
            "lines": [{"line": "L1", "quantity": 3, "reason": "defective"}],
        },
        content_type="application/json",
    )

    assert (response.status_code, response["Content-Type"]) == (422, "application/problem+json")
    assert response.json() == {
        "type": "urn:returndesk:problem:quantity_exceeded",
        "status": 422,
        "code": "quantity_exceeded",
        "title": "More units than were bought and are not already being returned",
        "detail": "Only 2 of 2 units can still be returned.",
        "errors": [
            {
                "loc": ["body", "lines", 0],
                "line": "L1",
                "code": "quantity_exceeded",
                "msg": "Only 2 of 2 units can still be returned.",
            }
        ],
        "line": "L1",
        "available": 2,
    }
    assert written() == before


def test_post_returns_for_an_unknown_order_is_404(keys):
    response = keys.client("platform").post(
        "/api/v1/returns",
        {
            "order": "O-missing",
            "lines": [{"line": "L1", "quantity": 1, "reason": "defective"}],
        },
        content_type="application/json",
    )

    assert (response.status_code, response.json()["code"]) == (404, "order_not_found")
    assert written() == (0, 0, 0)


@pytest.mark.parametrize("key", ["seller_a", "carrier", "agent"])
def test_post_returns_by_a_key_that_may_not_open_is_403(recent_order, keys, key):
    response = keys.client(key).post(
        "/api/v1/returns",
        {
            "order": recent_order.external_id,
            "lines": [{"line": "L1", "quantity": 1, "reason": "defective"}],
        },
        content_type="application/json",
    )

    assert (response.status_code, response.json()["code"]) == (403, "forbidden")
    assert written() == (0, 0, 0)


def test_post_returns_with_an_unknown_reason_is_a_validation_error(recent_order, keys):
    response = keys.client("platform").post(
        "/api/v1/returns",
        {
            "order": recent_order.external_id,
            "lines": [{"line": "L1", "quantity": 1, "reason": "bored"}],
        },
        content_type="application/json",
    )

    assert (response.status_code, response.json()["code"]) == (422, "validation_error")
    assert [error["loc"] for error in response.json()["errors"]] == [["body", "payload", "lines", 0, "reason"]]
    assert written() == (0, 0, 0)
