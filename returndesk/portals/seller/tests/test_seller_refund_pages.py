"""The seller's money on a return page: the refund form prefilled with the policy's amounts and
each cap, posting amounts as the API's body does (the same refusals), one refund per form token,
Keep, and Confirm and Retry on a refund's transactions; warehouse staff see none of it and the
services refuse their forged posts."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pytest

from returndesk.refunds.models import Refund
from returndesk.returns.domain.lifecycle import Status
from returndesk.scenarios.journeys import return_to
from returndesk.scenarios.payloads import line_payload

pytestmark = pytest.mark.django_db

TOKEN = "form-token-1"


def _inspected(make_order, make_return, *, gateway: str = "manual"):
    """An inspected return of one unit of a 30.00 lamp (defective: no fee), paid by bank transfer
    through ``gateway``, with 5.00 of shipping on the order."""
    order = make_order(
        lines=[line_payload("L1", title="Lamp", unit_price="30.00", variant_id="LAMP-BRASS")],
        payments=[{"method": "bank_transfer", "gateway": gateway, "amount": "35.00"}],
    )
    return return_to(make_return(order=order), Status.INSPECTED)


def _problem(response) -> dict[str, object]:
    text = response.text
    return {
        "status": response.status_code,
        "code": re.search(r'data-problem="([^"]+)"', text).group(1),
        "title": re.search(r'id="problem-title">([^<]*)<', text).group(1),
    }


def _api_problem(response) -> dict[str, object]:
    body = json.loads(response.content)
    return {"status": response.status_code, "code": body["code"], "title": body["title"]}


def test_the_refund_form_is_prefilled_with_each_line_s_default_beside_its_cap(people, make_order, make_return):
    ret = _inspected(make_order, make_return)

    text = people["seller_a_manager"].get(f"/seller/returns/{ret.code}").text

    assert re.findall(r'data-action="([^"]+)"', text) == ["refund", "offer", "exchange"]
    row = re.search(r'<tr data-line="L1" data-default="([^"]+)" data-remaining="([^"]+)">', text)
    assert row.groups() == ("30.00", "30.00")
    assert 'name="amount" value="30.00"' in text
    assert 'name="shipping_amount" value="5.00"' in text
    assert "up to 30.00" in text
    assert "<td data-total>35.00 EUR</td>" in text


def test_warehouse_staff_see_no_money_and_their_forged_refund_is_the_service_s_403(people, make_order, make_return):
    ret = _inspected(make_order, make_return)
    warehouse = people["seller_a_warehouse"]

    page = warehouse.get(f"/seller/returns/{ret.code}").text
    forged = warehouse.post(f"/seller/returns/{ret.code}/refund", {"token": TOKEN})

    assert "data-money" not in page
    assert 'data-action="refund"' not in page
    assert (forged.status_code, 'data-problem="forbidden_action"' in forged.text) == (403, True)
    assert not Refund.objects.exists()


def test_the_form_refunds_the_amounts_given_once_per_token(
    people, make_order, make_return, django_capture_on_commit_callbacks
):
    ret = _inspected(make_order, make_return)
    form = {"token": TOKEN, "line": "L1", "amount": "12.50", "shipping_amount": "", "note": "Scratched."}
    manager = people["seller_a_manager"]

    with django_capture_on_commit_callbacks(execute=True):
        first = manager.post(f"/seller/returns/{ret.code}/refund", form)
        again = manager.post(f"/seller/returns/{ret.code}/refund", form)

    (refund,) = Refund.objects.all()
    assert (first.status_code, first["Location"]) == (303, f"/seller/returns/{ret.code}")
    assert again.status_code == 303
    assert (refund.total, refund.shipping_amount, refund.note, refund.request_key) == (
        Decimal("12.50"),
        Decimal("0.00"),
        "Scratched.",
        TOKEN,
    )
    page = manager.get(f"/seller/returns/{ret.code}").text
    assert re.findall(r'data-refund-status="([^"]+)"', page)[-2:] == ["pending", "pending"]
    assert 'data-awaiting="confirmation"' in page
    assert f'action="/seller/refunds/{refund.pk}/confirm"' in page


def test_an_amount_over_its_cap_is_the_api_s_409(people, keys, make_order, make_return):
    ret = _inspected(make_order, make_return)
    page = people["seller_a_manager"].post(
        f"/seller/returns/{ret.code}/refund", {"token": TOKEN, "line": "L1", "amount": "30.01"}
    )
    api = keys.client("seller_a").post(
        f"/api/v1/returns/{ret.code}/refund",
        {"lines": [{"line": "L1", "amount": "30.01"}]},
        content_type="application/json",
        headers={"Idempotency-Key": "k"},
    )

    assert _problem(page) == _api_problem(api) | {"status": 409}
    assert _problem(page)["code"] == "exceeds_refundable"
    assert not Refund.objects.exists()


def test_a_non_number_amount_is_the_api_s_422(people, make_order, make_return):
    ret = _inspected(make_order, make_return)

    page = people["seller_a_manager"].post(
        f"/seller/returns/{ret.code}/refund", {"token": TOKEN, "line": "L1", "amount": "a lot"}
    )

    assert (page.status_code, 'data-problem="validation_error"' in page.text) == (422, True)
    assert "<code>form.lines.0.amount</code>" in page.text
    assert not Refund.objects.exists()


def test_keep_refunds_a_requested_return_without_a_parcel(people, make_return):
    ret = make_return()

    answer = people["seller_a_manager"].post(f"/seller/returns/{ret.code}/keep", {"token": TOKEN, "note": ""})

    ret.refresh_from_db()
    assert answer.status_code == 303
    assert (ret.status, ret.resolution) == ("refunding", "keep_item")
    assert [refund.kind for refund in ret.refunds.all()] == ["keep"]


def test_confirm_pays_a_manual_refund_out(people, make_order, make_return, django_capture_on_commit_callbacks):
    ret = _inspected(make_order, make_return)
    manager = people["seller_a_manager"]
    with django_capture_on_commit_callbacks(execute=True):
        manager.post(f"/seller/returns/{ret.code}/refund", {"token": TOKEN, "line": "L1", "amount": "30.00"})
    refund = Refund.objects.get()
    (transaction,) = refund.transactions.all()

    answer = manager.post(
        f"/seller/refunds/{refund.pk}/confirm", {"transaction": str(transaction.pk), "reference": "SEPA-1"}
    )
    again = manager.post(f"/seller/refunds/{refund.pk}/confirm", {"transaction": str(transaction.pk)})

    transaction.refresh_from_db()
    assert (answer.status_code, answer["Location"]) == (303, f"/seller/returns/{ret.code}")
    assert (transaction.status, transaction.gateway_reference) == ("succeeded", "SEPA-1")
    assert (again.status_code, 'data-problem="refund_not_confirmable"' in again.text) == (409, True)


def test_another_seller_s_refund_is_404(people, make_order, make_return):
    ret = _inspected(make_order, make_return)
    people["seller_a_manager"].post(f"/seller/returns/{ret.code}/refund", {"token": TOKEN, "line": "L1", "amount": "1"})
    refund = Refund.objects.get()

    answer = people["seller_b_manager"].post(f"/seller/refunds/{refund.pk}/retry", {})

    assert (answer.status_code, 'data-problem="not_found"' in answer.text) == (404, True)


def test_an_offer_is_made_once_per_token_and_shown_with_its_expiry(people, make_order, make_return):
    ret = _inspected(make_order, make_return)
    form = {"token": TOKEN, "amount": "10.00", "message": "Keep it for a third back."}
    manager = people["seller_a_manager"]

    first = manager.post(f"/seller/returns/{ret.code}/offer", form)
    again = manager.post(f"/seller/returns/{ret.code}/offer", form)
    page = manager.get(f"/seller/returns/{ret.code}").text

    assert (first.status_code, again.status_code) == (303, 303)
    assert [(offer.state, offer.amount) for offer in ret.offers.all()] == [("open", Decimal("10.00"))]
    assert 'data-offer-state="open"' in page
    assert "Latest offer: 10.00 EUR, open." in page


def test_exchange_with_each_line_s_own_variant_is_a_replacement(people, make_order, make_return):
    ret = _inspected(make_order, make_return)
    page = people["seller_a_manager"].get(f"/seller/returns/{ret.code}").text

    answer = people["seller_a_manager"].post(
        f"/seller/returns/{ret.code}/exchange", {"line": "L1", "variant_id": "LAMP-BRASS"}
    )

    ret.refresh_from_db()
    # The form offers the line's own variant to start from.
    assert 'name="variant_id" value="LAMP-BRASS"' in page
    assert answer.status_code == 303
    assert (ret.status, ret.resolution) == ("resolved", "replacement")
