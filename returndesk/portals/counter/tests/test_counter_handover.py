"""The counter's handover: Accept parcel after a valid check, once per form, the printable receipt
(the clerk's carrier's only), the buyer's mail, and a label's QR scanned into the code field."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from returndesk.core.actors import Actor, ActorKind
from returndesk.dropoffs.models import Receipt
from returndesk.dropoffs.services import dropoff_point_register
from returndesk.labels.services import qr_payload_sign
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.models import Return
from returndesk.scenarios.journeys import return_to
from returndesk.testing import NOW, frozen_clock
from returndesk.testing.portal_clients import COUNTER_CARRIER, COUNTER_POINT, Route, everyone, staff_client

AT = NOW + timedelta(days=1)
ADDRESS = {"name": "Demo kiosk", "lines": ["Main St 1"], "city": "Lyon", "postal_code": "69001", "country": "FR"}


@pytest.fixture
def clerk(db) -> Client:
    dropoff_point_register(
        actor=Actor(kind=ActorKind.CARRIER, id="setup", carrier=COUNTER_CARRIER),
        point_id=COUNTER_POINT,
        name="Demo kiosk",
        address=ADDRESS,
    )
    return staff_client("counter@post.example", "counter", carrier=COUNTER_CARRIER, point_id=COUNTER_POINT)


@pytest.fixture
def approved(make_return):
    with frozen_clock(AT):
        yield return_to(make_return(), Status.APPROVED)


def token_of(response) -> str:
    return re.search(r'name="token" value="([^"]+)"', response.text).group(1)


def test_a_valid_check_offers_accept_parcel_which_hands_over_and_shows_the_receipt(
    clerk, approved: Return, django_capture_on_commit_callbacks
) -> None:
    with frozen_clock(AT):
        checked = clerk.post("/counter/check", {"code": approved.code})
        token = token_of(checked)
        with django_capture_on_commit_callbacks(execute=True):
            accepted = clerk.post("/counter/handover", {"code": approved.code, "token": token, "weight_g": "450"})
        page = clerk.get(accepted["Location"])

    receipt = Receipt.objects.get()
    assert (accepted.status_code, accepted["Location"]) == (303, f"/counter/receipts/{receipt.receipt_id}")
    assert (receipt.carrier, receipt.point.point_id, receipt.weight_g) == (COUNTER_CARRIER, COUNTER_POINT, 450)
    assert Return.objects.get(pk=approved.pk).status == Status.IN_TRANSIT
    assert page.status_code == 200
    assert re.findall(r"data-receipt-id>([^<]+)<", page.text) == [receipt.receipt_id]
    assert f'data-code="{approved.code}"' in page.text
    assert [(message.to, receipt.receipt_id in message.body) for message in mail.outbox] == [
        ([approved.buyer.email], True)
    ]


def test_a_double_submitted_form_hands_over_once(clerk, approved: Return) -> None:
    with frozen_clock(AT):
        token = token_of(clerk.post("/counter/check", {"code": approved.code}))
        first = clerk.post("/counter/handover", {"code": approved.code, "token": token})
        second = clerk.post("/counter/handover", {"code": approved.code, "token": token})

    assert (first.status_code, second.status_code, second["Location"]) == (303, 303, first["Location"])
    assert Receipt.objects.count() == 1


def test_a_code_no_longer_valid_is_refused_with_the_apis_words(clerk, approved: Return) -> None:
    with frozen_clock(AT):
        clerk.post("/counter/handover", {"code": approved.code, "token": "first"})
        refused = clerk.post("/counter/handover", {"code": approved.code, "token": "second"})

    assert refused.status_code == 409
    assert 'data-problem="not_acceptable_at_counter"' in refused.text
    assert Receipt.objects.count() == 1


def test_a_weight_out_of_range_is_422_and_hands_nothing_over(clerk, approved: Return) -> None:
    with frozen_clock(AT):
        refused = clerk.post("/counter/handover", {"code": approved.code, "token": "t", "weight_g": "0"})

    assert (refused.status_code, 'data-problem="validation_error"' in refused.text) == (422, True)
    assert not Receipt.objects.exists()


def test_another_carriers_receipt_is_404(clerk, approved: Return) -> None:
    with frozen_clock(AT):
        clerk.post("/counter/handover", {"code": approved.code, "token": "t"})
    receipt = Receipt.objects.get()
    other = staff_client("other@parcel.example", "counter", carrier="other-post", point_id="X-1")

    response = other.get(f"/counter/receipts/{receipt.receipt_id}")

    assert (response.status_code, 'data-problem="not_found"' in response.text) == (404, True)


def test_a_scanned_label_qr_is_checked_as_its_code(clerk, approved: Return) -> None:
    assert approved.ship_by is not None
    payload = qr_payload_sign(code=approved.code, seller=approved.seller.external_id, ship_by=approved.ship_by)

    with frozen_clock(AT):
        checked = clerk.post("/counter/check", {"code": payload + "\n"})
        forged = clerk.post("/counter/check", {"code": payload[:-4] + "AAAA"})

    assert (checked.status_code, f'data-code="{approved.code}"' in checked.text) == (200, True)
    assert 'data-result="valid"' in checked.text
    assert (forged.status_code, 'data-problem="qr_invalid"' in forged.text) == (422, True)


ROUTES = [
    Route(
        "POST",
        "/counter/handover",
        everyone(
            "403 forbidden",
            counter="409 not_acceptable_at_counter",
            signed_out="302 /sign-in/?next=/counter/handover",
        ),
        data={"code": "K7Q2XM4D9T306", "token": "t"},
    ),
    Route(
        "GET",
        "/counter/receipts/RCNOSUCHRECEIPT00",
        everyone(
            "403 forbidden",
            counter="404 not_found",
            signed_out="302 /sign-in/?next=/counter/receipts/RCNOSUCHRECEIPT00",
        ),
    ),
]


@pytest.mark.parametrize("route", ROUTES, ids=str)
def test_who_may_hand_over_and_read_receipts_at_the_counter(portal_scene, route: Route) -> None:
    dropoff_point_register(
        actor=Actor(kind=ActorKind.CARRIER, id="setup", carrier=COUNTER_CARRIER),
        point_id=COUNTER_POINT,
        name="Demo kiosk",
        address=ADDRESS,
    )

    assert portal_scene.answers(route) == route.expected
