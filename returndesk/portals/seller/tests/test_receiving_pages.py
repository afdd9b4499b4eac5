"""The warehouse's pages: receiving by scanning (without JavaScript: one round trip per scan) and
parcels without a return. Who may open them, and that they call the API's services."""

from __future__ import annotations

from typing import Any

import pytest
from django.test import Client

from returndesk.core.actors import Actor, ActorKind
from returndesk.marketplace.models import Seller
from returndesk.portals.buyer.tests.pages import api_problem, shown_problem
from returndesk.receiving.models import Parcel, Receiving
from returndesk.receiving.services import parcel_create
from returndesk.receiving.tests.conftest import LAMP_GTIN, boxed  # noqa: F401 (a fixture)
from returndesk.returns.domain import codes
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.models import Return, ReturnAnomaly
from returndesk.testing.portal_clients import PortalScene, Route, everyone

pytestmark = pytest.mark.django_db

SIGN_IN = "302 /sign-in/?next={path}"


def sellers_only(expected: str, path: str, **but: str) -> dict[str, str]:
    """Seller staff (A's and B's) get ``expected``; other staff 403; nobody is sent to sign in."""
    row = everyone("403 forbidden", signed_out=SIGN_IN.format(path=path))
    return row | dict.fromkeys(("seller_a_manager", "seller_a_warehouse", "seller_b_manager"), expected) | but


def routes(parcel: str, return_a: str) -> list[Route]:
    """The table; ``parcel`` is an unmatched parcel of S-A's, ``return_a`` the scene's return of S-A."""
    match = f"/seller/parcels/{parcel}/match"
    return [
        Route("GET", "/seller/receiving", sellers_only("200", "/seller/receiving")),
        # Order O-A's number names return_a (S-A's, requested): it cannot be received yet; B finds nothing.
        Route(
            "POST",
            "/seller/receiving",
            sellers_only("409 invalid_transition", "/seller/receiving", seller_b_manager="200"),
            data={"scan": "N-O-A", "token": "t-1"},
        ),
        Route("GET", "/seller/parcels", sellers_only("200", "/seller/parcels")),
        Route(
            "POST",
            "/seller/parcels",
            sellers_only("422 validation_error", "/seller/parcels"),
            data={"contents": "", "token": "t-1"},
        ),
        # Matched to return_a, still requested: the receipt is refused, the parcel stays unmatched.
        Route(
            "POST",
            match,
            sellers_only("409 invalid_transition", match, seller_b_manager="404 not_found"),
            data={"code": return_a, "token": "t-1"},
        ),
    ]


def test_who_gets_what_on_the_warehouse_pages(portal_scene: PortalScene) -> None:
    seller_a = Seller.objects.get(external_id="S-A")
    parcel = parcel_create(actor=Actor(kind=ActorKind.SELLER_KEY, id="test", seller_id=seller_a.pk), contents="A lamp")
    table = routes(parcel.public_id, portal_scene.values["return_a"])

    # Every row at once: a failure shows each person whose answer differs.
    assert {str(route): portal_scene.answers(route) for route in table} == {
        str(route): dict(route.expected) for route in table
    }
    assert Parcel.objects.get(pk=parcel.pk).status == "unmatched"


# --- Receiving without JavaScript --------------------------------------------------------------


def scan(client: Client, **form: Any):
    return client.post("/seller/receiving", {"token": "t-1", **form})


@pytest.fixture
def warehouse(people: dict[str, Client]) -> Client:
    return people["seller_a_warehouse"]


@pytest.mark.parametrize("typed", ["code", "tracking", "order"])
def test_the_first_scan_finds_the_return_by_code_tracking_or_order_number(boxed, warehouse, typed):  # noqa: F811
    ret = boxed()
    Return.objects.filter(pk=ret.pk).update(tracking_number="RR123456785GB")
    text = {"code": codes.display(ret.code).lower(), "tracking": "rr 123456785 gb", "order": ret.order.number}[typed]

    page = scan(warehouse, scan=text).content.decode()

    assert f'data-code="{ret.code}"' in page
    assert 'data-line="L1" data-sku="SKU-1" data-gtin="0' + LAMP_GTIN + '" data-expected="2" data-scanned="0"' in page


def test_a_return_that_cannot_be_received_is_refused_in_the_apis_words(boxed, warehouse, keys):  # noqa: F811
    ret = boxed(status=Status.INSPECTED)

    page = scan(warehouse, scan=ret.code)
    answer = keys.client("seller_a").post(f"/api/v1/returns/{ret.code}/receive", {}, content_type="application/json")

    assert (page.status_code, answer.status_code) == (409, 409)
    assert shown_problem(page.content) == api_problem(answer)


def test_a_scan_finding_nothing_offers_to_record_the_parcel_as_unidentified(warehouse):
    response = scan(warehouse, scan="RR 123456785 GB")

    page = response.content.decode()
    assert (response.status_code, "data-not-found" in page) == (200, True)
    assert 'href="/seller/parcels?tracking_number=RR123456785GB#record-heading" data-record-unidentified' in page


def test_item_scans_keep_the_tally_and_the_receipt_records_what_they_found(boxed, warehouse):  # noqa: F811
    ret = boxed()
    first = scan(warehouse, code=ret.code, scan="sku-1")
    second = scan(warehouse, code=ret.code, scans=["sku-1"], scan="WRONG-SKU")
    toggled = scan(warehouse, code=ret.code, scans=["sku-1", "WRONG-SKU"], add="damaged_on_return")

    recorded = scan(
        warehouse, code=ret.code, scans=["sku-1", "WRONG-SKU"], anomaly=["damaged_on_return"], scan=ret.code
    )

    assert '<input type="hidden" name="scans" value="sku-1">' in first.content.decode()
    assert 'data-unmatched-item="WRONG-SKU"' in second.content.decode()
    assert 'data-add="damaged_on_return" aria-pressed="true"' in toggled.content.decode()
    assert (recorded.status_code, recorded["Location"]) == (303, f"/seller/receiving?received={ret.code}")
    assert Return.objects.get(pk=ret.pk).status == Status.RECEIVED
    assert sorted(ReturnAnomaly.objects.filter(return_request=ret).values_list("code", flat=True)) == [
        "damaged_on_return",
        "item_mismatch",
        "short",
        "short",
    ]
    results = warehouse.get(recorded["Location"]).content.decode()
    assert '<tr data-line="L1" data-result="short" class="tally-off">' in results
    assert '<li data-anomaly="item_mismatch">Not the item sold (WRONG-SKU)</li>' in results


def test_enter_on_the_empty_field_records_everything_arrived_once_per_form(boxed, warehouse):  # noqa: F811
    ret = boxed()

    first = scan(warehouse, code=ret.code, scan="")
    again = scan(warehouse, code=ret.code, scan="")

    assert (first.status_code, again.status_code, again["Location"]) == (
        303,
        303,
        f"/seller/receiving?received={ret.code}",
    )
    assert Receiving.objects.get(return_request=ret).lines == [
        {"line": "L1", "expected": 2, "scanned": 2, "result": "ok"},
        {"line": "L2", "expected": 1, "scanned": 1, "result": "ok"},
    ]


# --- Parcels -------------------------------------------------------------------------------------


def test_a_parcel_is_recorded_listed_and_matched_by_scanning_a_code(boxed, warehouse):  # noqa: F811
    ret = boxed()
    recorded = warehouse.post(
        "/seller/parcels", {"contents": "Two lamps, no slip", "tracking_number": "rr123456785gb", "token": "t-2"}
    )
    parcel = Parcel.objects.get()

    listed = warehouse.get("/seller/parcels").content.decode()
    matched = warehouse.post(f"/seller/parcels/{parcel.public_id}/match", {"code": ret.code.lower(), "token": "t-3"})

    assert (recorded.status_code, recorded["Location"]) == (303, f"/seller/parcels?recorded={parcel.public_id}")
    assert (parcel.tracking_number, f'data-parcel="{parcel.public_id}"' in listed) == ("RR123456785GB", True)
    assert (matched.status_code, matched["Location"]) == (303, f"/seller/receiving?received={ret.code}")
    parcel.refresh_from_db()
    assert (parcel.status, parcel.matched_return_id) == ("matched", ret.pk)
    assert f'data-parcel="{parcel.public_id}"' not in warehouse.get("/seller/parcels").content.decode()


def test_a_wrong_check_digit_shows_the_api_s_problem_and_records_nothing(warehouse):
    response = warehouse.post(
        "/seller/parcels", {"contents": "A box", "tracking_number": "RR123456784GB", "token": "t"}
    )

    page = response.content.decode()
    assert (response.status_code, 'data-problem="bad_check_digit"' in page) == (422, True)
    assert "S10 check digit should be 5" in page
    assert Parcel.objects.count() == 0
