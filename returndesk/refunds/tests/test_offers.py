"""Partial-refund offers through the API and the sweep: an offer stands beside the status and
pauses the seller's clock; accepted, it is a refund of kind ``offer`` spread over the lines by
their caps; declined, the clock resumes later by the time it was open; unanswered, it lapses at
its expiry and is never accepted after; leaving the status withdraws it."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.test import Client

from returndesk.core.actors import SYSTEM_CLOCK, Actor, ActorKind, StaffRole
from returndesk.core.errors import ForbiddenAction
from returndesk.marketplace.models import Order
from returndesk.policies.domain.reasons import Reason
from returndesk.refunds.models import Offer, Refund
from returndesk.refunds.offers import OFFER_LAPSER, offers_lapse, return_offer
from returndesk.returns.domain.lifecycle import NotYetDue, Status
from returndesk.returns.domain.requests import RequestedLine
from returndesk.returns.errors import ReturnNotFound
from returndesk.returns.models import Return, ReturnEvent
from returndesk.returns.services import return_approve
from returndesk.scenarios.journeys import return_opened, return_to
from returndesk.testing import NOW, Keys, frozen_clock, iso

pytestmark = pytest.mark.django_db

US, HOUR, DAY = timedelta(microseconds=1), timedelta(hours=1), timedelta(days=1)
JSON = "application/json"


@pytest.fixture
def two_lines(make_order: Callable[..., Order], keys: Keys) -> Return:
    """A return of one lamp (L1, paid share 18.00) and the cable (L2, 24.00), requested at NOW."""
    return return_opened(
        order=make_order(),
        lines=[
            RequestedLine(line="L1", quantity=1, reason=Reason.DEFECTIVE),
            RequestedLine(line="L2", quantity=1, reason=Reason.DEFECTIVE),
        ],
        actor=keys.actors["platform"],
    )


def post(client: Client, code: str, action: str, body: dict[str, Any], *, at: Any) -> Any:
    with frozen_clock(at):
        return client.post(f"/api/v1/returns/{code}/{action}", json.dumps(body), content_type=JSON)


def get(client: Client, code: str, *, at: Any) -> dict[str, Any]:
    with frozen_clock(at):
        response = client.get(f"/api/v1/returns/{code}")
    assert response.status_code == 200
    return dict(response.json())


def offer_body(amount: str = "21.00") -> dict[str, str]:
    return {"amount": amount, "message": "Keep both for a partial refund?"}


def test_an_offer_stands_beside_the_status_until_the_buyer_answers(keys, two_lines):
    made = NOW + HOUR

    response = post(keys.client("seller_a"), two_lines.code, "offer", offer_body(), at=made)

    assert response.status_code == 200
    body = response.json()
    offer = Offer.objects.get(return_request=two_lines)
    expected = {
        "id": offer.pk,
        "amount": "21.00",
        "currency": "EUR",
        "message": "Keep both for a partial refund?",
        "state": "open",
        "made_at": iso(made),
        "expires_at": iso(made + 3 * DAY),
        "answered_at": None,
    }
    assert (body["status"], body["offer"], body["offers"], body["next_deadline"]) == (
        "requested",
        expected,
        [expected],
        {"at": iso(made + 3 * DAY), "action": "decline_offer"},
    )
    assert body["timeline"][-1]["action"] == "offer"
    assert body["timeline"][-1]["data"] == {
        "offer": offer.pk,
        "amount": "21.00",
        "currency": "EUR",
        "expires_at": (made + 3 * DAY).isoformat(),
    }


def test_accepting_refunds_the_offer_spread_over_the_lines_by_their_caps(keys, two_lines):
    post(keys.client("seller_a"), two_lines.code, "offer", offer_body(), at=NOW + HOUR)

    response = post(keys.client("platform"), two_lines.code, "accept_offer", {}, at=NOW + 2 * HOUR)

    assert response.status_code == 200
    body = response.json()
    (refund,) = body["refunds"]
    assert (body["status"], body["resolution"], body["offer"]["state"], body["offer"]["answered_at"]) == (
        "refunding",
        "partial_refund",
        "accepted",
        iso(NOW + 2 * HOUR),
    )
    # 21.00 over caps of 18.00 and 24.00: 9.00 and 12.00, no fee, no shipping.
    assert (refund["kind"], refund["total"], refund["shipping_amount"]) == ("offer", "21.00", "0.00")
    assert [(line["line"], line["amount"], line["restocking_fee"]) for line in refund["lines"]] == [
        ("L1", "9.00", "0.00"),
        ("L2", "12.00", "0.00"),
    ]
    accepted = body["timeline"][-1]
    assert (accepted["action"], accepted["actor"]["on_behalf_of"], accepted["data"]["offer"]) == (
        "accept_offer",
        "B-1",
        body["offer"]["id"],
    )
    assert Refund.objects.get().offer_id == body["offer"]["id"]


def test_an_offer_past_its_expiry_is_never_accepted(keys, two_lines):
    post(keys.client("seller_a"), two_lines.code, "offer", offer_body(), at=NOW + HOUR)
    expired = NOW + HOUR + 3 * DAY
    before = list(Return.objects.values())

    response = post(keys.client("platform"), two_lines.code, "accept_offer", {}, at=expired)

    assert (response.status_code, response.json()["code"]) == (409, "no_open_offer")
    assert (list(Return.objects.values()), Refund.objects.count()) == (before, 0)
    # Shown lapsed before the sweep records it.
    assert get(keys.client("platform"), two_lines.code, at=expired)["offer"]["state"] == "lapsed"


def test_the_sweep_lapses_an_unanswered_offer_and_the_sellers_clock_resumes_three_days_later(keys, two_lines):
    made = NOW + HOUR
    post(keys.client("seller_a"), two_lines.code, "offer", offer_body(), at=made)

    assert [offers_lapse(made + 3 * DAY - timedelta(microseconds=1)), offers_lapse(made + 3 * DAY + HOUR)] == [0, 1]

    body = get(keys.client("platform"), two_lines.code, at=made + 3 * DAY + HOUR)
    lapsed = body["timeline"][-1]
    assert (body["status"], body["offer"]["state"], body["offer"]["answered_at"]) == (
        "requested",
        "lapsed",
        iso(made + 3 * DAY),
    )
    assert (lapsed["action"], lapsed["actor"], lapsed["data"]) == (
        "decline_offer",
        {"kind": "system", "id": OFFER_LAPSER.id, "on_behalf_of": None},
        {"offer": body["offer"]["id"], "state": "lapsed"},
    )
    # Five days to answer from NOW, three of them paused by the offer.
    assert body["next_deadline"] == {"at": iso(NOW + 8 * DAY), "action": "approve"}


def test_declining_resumes_the_clock_later_by_the_time_the_offer_was_open(keys, two_lines):
    post(keys.client("seller_a"), two_lines.code, "offer", offer_body(), at=NOW + DAY)

    response = post(
        keys.client("platform"), two_lines.code, "decline_offer", {"reason": "Too little"}, at=NOW + DAY + 6 * HOUR
    )

    body = response.json()
    assert (response.status_code, body["status"], body["offer"]["state"], body["timeline"][-1]["reason"]) == (
        200,
        "requested",
        "declined",
        "Too little",
    )
    assert body["next_deadline"] == {"at": iso(NOW + 5 * DAY + 6 * HOUR), "action": "approve"}
    assert Return.objects.get().offer_paused == 6 * HOUR


def test_a_second_offer_pauses_again_and_the_pauses_add_up(keys, two_lines):
    seller, platform = keys.client("seller_a"), keys.client("platform")
    post(seller, two_lines.code, "offer", offer_body(), at=NOW + HOUR)
    post(platform, two_lines.code, "decline_offer", {}, at=NOW + 3 * HOUR)
    post(seller, two_lines.code, "offer", offer_body("30.00"), at=NOW + 4 * HOUR)

    body = post(platform, two_lines.code, "decline_offer", {}, at=NOW + 9 * HOUR).json()

    assert [offer["amount"] for offer in body["offers"]] == ["21.00", "30.00"]
    assert body["next_deadline"] == {"at": iso(NOW + 5 * DAY + 7 * HOUR), "action": "approve"}


def test_approving_withdraws_the_open_offer_in_the_approvals_event(keys, two_lines):
    post(keys.client("seller_a"), two_lines.code, "offer", offer_body(), at=NOW + HOUR)

    response = post(keys.client("seller_a"), two_lines.code, "approve", {}, at=NOW + 2 * HOUR)

    body = response.json()
    offer = Offer.objects.get()
    assert (body["status"], body["offer"]["state"], body["offer"]["answered_at"]) == (
        "approved",
        "withdrawn",
        iso(NOW + 2 * HOUR),
    )
    assert body["timeline"][-1]["data"] == {"offer_withdrawn": offer.pk}
    assert Return.objects.filter(offer_open=False, offer_made_at=None, offer_paused=timedelta(0)).count() == 1


def test_an_offer_on_an_inspected_return_pauses_the_refund_clock(keys, two_lines):
    inspected = return_to(two_lines, Status.INSPECTED)
    since = inspected.status_since
    post(keys.client("seller_a"), inspected.code, "offer", offer_body(), at=since + HOUR)

    body = post(keys.client("platform"), inspected.code, "decline_offer", {}, at=since + 5 * HOUR).json()

    assert body["next_deadline"] == {"at": iso(since + 2 * DAY + 4 * HOUR), "action": "refund"}


@pytest.mark.parametrize(
    ("amount", "status", "code"),
    [("0.00", 422, "zero_amount"), ("42.01", 409, "exceeds_refundable"), ("1.001", 422, "amount_not_representable")],
)
def test_an_offer_within_the_lines_caps(keys, two_lines, amount, status, code):
    response = post(keys.client("seller_a"), two_lines.code, "offer", offer_body(amount), at=NOW + HOUR)

    assert (response.status_code, response.json()["code"], Offer.objects.count()) == (status, code, 0)


def test_exceeding_names_what_is_left(keys, two_lines):
    response = post(keys.client("seller_a"), two_lines.code, "offer", offer_body("42.01"), at=NOW + HOUR)

    assert response.json()["errors"] == [
        {
            "loc": ["body", "amount"],
            "line": None,
            "msg": "42.01 EUR is more than the 42.00 EUR left to refund for the offer.",
            "remaining": "42.00",
        }
    ]


def test_one_offer_open_at_a_time_and_three_per_return(keys, two_lines):
    seller, platform = keys.client("seller_a"), keys.client("platform")
    post(seller, two_lines.code, "offer", offer_body(), at=NOW + HOUR)
    again = post(seller, two_lines.code, "offer", offer_body(), at=NOW + 2 * HOUR)
    for hour in (3, 5):
        post(platform, two_lines.code, "decline_offer", {}, at=NOW + hour * HOUR)
        post(seller, two_lines.code, "offer", offer_body(), at=NOW + (hour + 1) * HOUR)
    post(platform, two_lines.code, "decline_offer", {}, at=NOW + 7 * HOUR)

    fourth = post(seller, two_lines.code, "offer", offer_body(), at=NOW + 8 * HOUR)

    assert [(again.status_code, again.json()["code"]), (fourth.status_code, fourth.json()["code"])] == [
        (409, "offer_already_open"),
        (409, "offer_limit_reached"),
    ]
    assert Offer.objects.count() == 3


@pytest.mark.parametrize("action", ["accept_offer", "decline_offer"])
def test_answering_without_an_open_offer(keys, two_lines, action):
    response = post(keys.client("platform"), two_lines.code, action, {}, at=NOW + HOUR)

    assert (response.status_code, response.json()["code"]) == (409, "no_open_offer")
    assert ReturnEvent.objects.filter(action=action).count() == 0


def test_another_sellers_return_is_not_found_by_the_service(keys, two_lines):
    with pytest.raises(ReturnNotFound):
        return_offer(actor=keys.actors["seller_b"], code=two_lines.code, amount=Decimal("1.00"), message="Hi")

    assert Offer.objects.count() == 0


def test_the_system_approves_once_the_resumed_clock_runs_out(keys, two_lines):
    post(keys.client("seller_a"), two_lines.code, "offer", offer_body(), at=NOW + DAY)
    post(keys.client("platform"), two_lines.code, "decline_offer", {}, at=NOW + DAY + 6 * HOUR)
    due = NOW + 5 * DAY + 6 * HOUR

    with pytest.raises(NotYetDue):
        return_approve(code=two_lines.code, actor=SYSTEM_CLOCK, now=due - US)
    approved = return_approve(code=two_lines.code, actor=SYSTEM_CLOCK, now=due)

    assert approved.status == Status.APPROVED


def test_warehouse_staff_may_not_offer(two_lines):
    warehouse = Actor(
        kind=ActorKind.SELLER_USER, id="7", seller_id=two_lines.seller_id, staff_role=StaffRole.SELLER_WAREHOUSE
    )

    with pytest.raises(ForbiddenAction):
        return_offer(actor=warehouse, code=two_lines.code, amount=Decimal("5.00"), message="5 EUR?", now=NOW + HOUR)

    assert Offer.objects.count() == 0


def test_refunding_an_inspected_return_withdraws_its_open_offer(keys, two_lines):
    inspected = return_to(two_lines, Status.INSPECTED)
    post(keys.client("seller_a"), inspected.code, "offer", offer_body(), at=inspected.status_since + HOUR)

    with frozen_clock(inspected.status_since + 2 * HOUR):
        response = keys.client("seller_a").post(
            f"/api/v1/returns/{inspected.code}/refund", "{}", content_type=JSON, headers={"Idempotency-Key": "r-1"}
        )

    body = response.json()
    refunded = body["timeline"][-1]
    assert (response.status_code, body["status"], body["offer"]["state"]) == (200, "refunding", "withdrawn")
    assert (refunded["action"], refunded["data"]["offer_withdrawn"], refunded["data"]["kind"]) == (
        "refund",
        body["offer"]["id"],
        "refund",
    )
