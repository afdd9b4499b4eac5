"""``POST /api/v1/tracking-events``: one test per behaviour of the route (the service's own cases are
in test_tracking_events.py, who may call it in test_tracking_permissions.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from returndesk.dropoffs.models import TrackingEvent
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.models import Return
from returndesk.scenarios.journeys import return_to
from returndesk.testing import NOW, Keys, frozen_clock, iso

pytestmark = pytest.mark.django_db

AT = NOW + timedelta(hours=3)
URL = "/api/v1/tracking-events"


@pytest.fixture
def post(keys: Keys) -> Keys:
    keys.make("post_a", role="carrier", carrier="post")
    return keys


def body(**overrides: Any) -> dict[str, Any]:
    return {
        "event_id": "E1",
        "tracking_number": "RR123456785GB",
        "status": "delivered",
        "occurred_at": iso(AT - timedelta(hours=1)),
        **overrides,
    }


def send(keys: Keys, payload: dict[str, Any], **headers: str) -> Any:
    with frozen_clock(AT):
        return keys.client("post_a").post(URL, payload, content_type="application/json", headers=headers)


def test_an_event_is_taken_with_202(post: Keys, make_return) -> None:
    ret = return_to(make_return(), Status.APPROVED)

    response = send(post, body(code=ret.code))

    assert (response.status_code, response.json()) == (202, {"event_id": "E1", "matched": True, "duplicate": False})
    assert Return.objects.get(pk=ret.pk).delivered_to_seller_at == AT - timedelta(hours=1)


def test_an_unmatched_event_answers_matched_false(post: Keys) -> None:
    response = send(post, body())
    assert (response.status_code, response.json()) == (202, {"event_id": "E1", "matched": False, "duplicate": False})


def test_a_repeated_event_answers_duplicate(post: Keys) -> None:
    send(post, body())
    response = send(post, body(status="in_transit"))
    assert (response.status_code, response.json()) == (202, {"event_id": "E1", "matched": False, "duplicate": True})


def test_an_idempotency_key_replays_the_first_answer(post: Keys) -> None:
    first = send(post, body(), **{"Idempotency-Key": "k1"})
    again = send(post, body(), **{"Idempotency-Key": "k1"})
    assert (again.status_code, again.content, again["Idempotent-Replayed"]) == (202, first.content, "true")
    assert TrackingEvent.objects.count() == 1


def test_a_wrong_check_digit_is_422_bad_check_digit(post: Keys) -> None:
    response = send(post, body(tracking_number="RR123456784GB"))
    assert (response.status_code, response.json()) == (
        422,
        {
            "type": "urn:returndesk:problem:bad_check_digit",
            "title": "The tracking number's check digit is wrong",
            "status": 422,
            "detail": "S10 check digit should be 5",
            "code": "bad_check_digit",
            "errors": [
                {"loc": ["body", "tracking_number"], "msg": "S10 check digit should be 5", "type": "bad_check_digit"}
            ],
        },
    )


def test_a_scan_over_five_minutes_ahead_is_422(post: Keys) -> None:
    response = send(post, body(occurred_at=iso(AT + timedelta(minutes=6))))
    assert (response.status_code, response.json()["code"], response.json()["errors"][0]["loc"]) == (
        422,
        "validation_error",
        ["body", "occurred_at"],
    )


def test_an_unknown_status_is_422(post: Keys) -> None:
    response = send(post, body(status="lost"))
    assert (response.status_code, response.json()["code"], response.json()["errors"][0]["loc"]) == (
        422,
        "validation_error",
        ["body", "payload", "status"],
    )


def test_another_number_than_the_returns_is_409_tracking_mismatch(post: Keys, make_return) -> None:
    ret = return_to(make_return(), Status.APPROVED)
    send(post, body(code=ret.code))

    response = send(post, body(event_id="E2", code=ret.code, tracking_number="1Z999AA10123456784"))

    assert (response.status_code, response.json()["code"], TrackingEvent.objects.count()) == (
        409,
        "tracking_mismatch",
        1,
    )


def test_the_openapi_lists_every_status(post: Keys) -> None:
    operation = post.client(None).get("/api/v1/openapi.json").json()["paths"]["/api/v1/tracking-events"]["post"]
    assert sorted(operation["responses"]) == ["202", "400", "401", "403", "409", "413", "414", "415", "422"]
    assert operation["responses"]["202"]["content"]["application/json"]["schema"]["$ref"].endswith("TrackingEventOut")


def test_a_dropoff_takes_its_number_normalised_and_checked(post: Keys, make_return) -> None:
    ret = return_to(make_return(), Status.APPROVED)
    post.make("platform2", role="platform")
    url, client = "/api/v1/dropoffs", post.client("platform2")

    with frozen_clock(AT):
        refused = client.post(
            url, {"code": ret.code, "carrier": "post", "tracking_number": "RR123456784GB"}, "application/json"
        )
        taken = client.post(
            url, {"code": ret.code, "carrier": "post", "tracking_number": "rr 123456785 gb"}, "application/json"
        )

    assert (refused.status_code, refused.json()["code"]) == (422, "bad_check_digit")
    assert (taken.status_code, taken.json()["tracking_number"]) == (201, "RR123456785GB")
    assert Return.objects.get(pk=ret.pk).tracking_number == "RR123456785GB"
