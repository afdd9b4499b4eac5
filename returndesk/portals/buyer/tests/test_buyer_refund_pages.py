"""The buyer's money on a return page: the seller's open offer with its expiry, Accept and Decline
(an offer past its expiry is lapsed on the page and refused as the API refuses it), each refund's
breakdown and, per payment, the dates the money is expected between."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from decimal import Decimal

import pytest

from returndesk.portals.buyer.tests.pages import form_token, shown_problem
from returndesk.refunds import offers
from returndesk.refunds import services as refund_services
from returndesk.refunds.models import Offer
from returndesk.returns.domain.lifecycle import Status
from returndesk.scenarios.journeys import return_to
from returndesk.scenarios.payloads import buyer_payload, line_payload
from returndesk.testing import NOW, frozen_clock
from returndesk.testing.portal_clients import buyer_client

pytestmark = pytest.mark.django_db
CHLOE = buyer_payload("B-CHLOE", country="FR", time_zone="Europe/Paris")


@pytest.fixture(autouse=True)
def _now() -> Iterator[None]:
    with frozen_clock(NOW):
        yield


@pytest.fixture
def inspected(make_order, make_return, keys):
    order = make_order(buyer=CHLOE, lines=[line_payload("L1", title="Lamp", unit_price="40.00")])
    return return_to(make_return(order=order, now=NOW - timedelta(hours=5)), Status.INSPECTED)


def _offer(ret, keys, amount: str = "12.50"):
    return offers.return_offer(
        code=ret.code, actor=keys.actors["seller_a"], amount=Decimal(amount), message="Keep it.", now=NOW
    )


def test_an_open_offer_shows_its_amount_and_expiry_with_accept_and_decline(inspected, keys):
    _offer(inspected, keys)

    text = buyer_client("B-CHLOE").get(f"/buyer/returns/{inspected.code}").text

    assert 'data-offer-state="open"' in text
    assert "<strong data-offer-amount>12.50 EUR</strong>" in text
    assert "(Europe/Paris)" in re.search(r"<p data-offer-expires>(.*?)</p>", text, re.DOTALL).group(1)
    assert f'action="/buyer/returns/{inspected.code}/accept-offer"' in text
    assert f'action="/buyer/returns/{inspected.code}/decline-offer"' in text


def test_accepting_refunds_the_offer_once_and_shows_when_the_money_arrives(inspected, keys):
    _offer(inspected, keys)
    chloe = buyer_client("B-CHLOE")
    token = form_token(chloe.get(f"/buyer/returns/{inspected.code}").content)

    first = chloe.post(f"/buyer/returns/{inspected.code}/accept-offer", {"token": token})
    again = chloe.post(f"/buyer/returns/{inspected.code}/accept-offer", {"token": token})
    page = chloe.get(f"/buyer/returns/{inspected.code}").text

    inspected.refresh_from_db()
    assert (first.status_code, again.status_code) == (303, 303)
    assert (inspected.status, inspected.resolution) == ("refunding", "partial_refund")
    assert [refund.kind for refund in inspected.refunds.all()] == ["offer"]
    assert 'data-refund-kind="offer"' in page
    assert "<td data-total>12.50 EUR</td>" in page
    # Pending (the gateway runs after commit): counted from today, marked as an estimate.
    arrival = re.search(r'<p data-expected-arrival="([^"]+)" data-provisional>([^<]+)</p>', page)
    assert arrival is not None
    assert re.fullmatch(r"\d{4}-\d{2}-\d{2}/\d{4}-\d{2}-\d{2}", arrival.group(1))
    assert arrival.group(2).startswith("Expected between ")
    assert "an estimate" in arrival.group(2)


def test_declining_keeps_the_return_as_it_was(inspected, keys):
    _offer(inspected, keys)

    answer = buyer_client("B-CHLOE").post(f"/buyer/returns/{inspected.code}/decline-offer", {"reason": "Too little."})

    inspected.refresh_from_db()
    assert answer.status_code == 303
    assert (inspected.status, Offer.objects.get().state) == ("inspected", "declined")


def test_an_offer_past_its_expiry_shows_lapsed_and_accepting_it_is_the_api_s_409(inspected, keys):
    _offer(inspected, keys)
    chloe = buyer_client("B-CHLOE")
    later = Offer.objects.get().expires_at + timedelta(minutes=1)

    with frozen_clock(later):
        page = chloe.get(f"/buyer/returns/{inspected.code}")
        # The page has no Accept any more: a form kept open in another tab still posts.
        answer = chloe.post(f"/buyer/returns/{inspected.code}/accept-offer", {"token": "an-older-form"})

    assert 'data-offer-state="lapsed"' in page.text
    assert "Accept the offer" not in page.text
    assert (answer.status_code, shown_problem(answer.content)["code"]) == (409, "no_open_offer")
    assert not inspected.refunds.exists()


def test_a_refund_shows_its_breakdown_per_line(inspected, keys):
    refund_services.return_refund(code=inspected.code, actor=keys.actors["seller_a"], request_key="k", now=NOW)

    text = buyer_client("B-CHLOE").get(f"/buyer/returns/{inspected.code}").text

    row = re.search(r'<tr data-line="L1">(.*?)</tr>', text, re.DOTALL).group(1)
    # Refunded first (a phone shows it without scrolling), then paid, restocking fee, return shipping.
    assert re.findall(r"<td[^>]*>([^<]*)</td>", row) == ["40.00 EUR", "40.00 EUR", "0.00 EUR", "0.00 EUR"]
    assert 'data-refund-status="pending"' in text


def test_an_overdue_refund_says_so(inspected, keys):
    refund_services.return_refund(code=inspected.code, actor=keys.actors["seller_a"], request_key="k", now=NOW)
    chloe = buyer_client("B-CHLOE")
    before = chloe.get(f"/buyer/returns/{inspected.code}").text
    inspected.refresh_from_db()

    # Past the refunding return's supervise deadline (the money is late, or a refund is stuck).
    with frozen_clock(inspected.due_at + timedelta(minutes=1)):
        after = chloe.get(f"/buyer/returns/{inspected.code}").text

    assert inspected.due_action == "supervise"
    assert ("data-refund-overdue" in before, "data-refund-overdue" in after) == (False, True)
