"""Who may open each buyer page: the order's buyer; another buyer gets 404 for what is not theirs
(their own /buyer/ list); every staff role 403 ``forbidden``; signed out, the Email form at /buyer/
and a redirect to it from the other pages."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from django.test import Client

from returndesk.marketplace.models import Order
from returndesk.portals.buyer.tests.pages import line_fields
from returndesk.returns.models import Return
from returndesk.scenarios.journeys import return_opened
from returndesk.testing import NOW, frozen_clock
from returndesk.testing.portal_clients import buyer_client, staff_client


@pytest.fixture(autouse=True)
def _now() -> Iterator[None]:
    with frozen_clock(NOW):
        yield


@pytest.fixture
def scene(make_order: Callable[..., Order]) -> Return:
    """Buyer B-A's order O-A (seller S-A) with a requested return on one unit of L1; buyer B-B has
    an order of seller S-B."""
    order = make_order(external_id="O-A", buyer="B-A", seller="S-A")
    make_order(external_id="O-B", buyer="B-B", seller="S-B")
    return return_opened(order=order)


CLIENTS: dict[str, Callable[[], Client]] = {
    "buyer A": lambda: buyer_client("B-A"),
    "buyer B": lambda: buyer_client("B-B"),
    "seller A manager": lambda: staff_client(email="manager@a.example", role="seller_manager", seller="S-A"),
    "seller A warehouse": lambda: staff_client(email="warehouse@a.example", role="seller_warehouse", seller="S-A"),
    "seller B manager": lambda: staff_client(email="manager@b.example", role="seller_manager", seller="S-B"),
    "agent": lambda: staff_client(email="agent@example.com", role="agent"),
    "counter": lambda: staff_client(email="counter@example.com", role="counter", carrier="demo-post", point_id="P-1"),
    "signed out": Client,
}
STAFF_ANSWER = (403, "forbidden")
STAFF = ("seller A manager", "seller A warehouse", "seller B manager", "agent", "counter")
# GET /buyer/, GET and POST the return form, GET the return, GET and POST its cancel page.
EXPECTED: dict[str, list[tuple[int, str]]] = {
    "buyer A": [(200, ""), (200, ""), (303, "/buyer/returns/"), (200, ""), (200, ""), (303, "/buyer/returns/")],
    "buyer B": [(200, ""), *[(404, "not_found")] * 5],
    **{who: [STAFF_ANSWER] * 6 for who in STAFF},
    "signed out": [(200, ""), *[(302, "/buyer/?next=")] * 5],
}


def _answer(response) -> tuple[int, str]:
    """(status, the problem's code or where a redirect goes; empty for a page)."""
    if response.status_code in (302, 303):
        location = response["Location"]
        return response.status_code, location[: location.index("=") + 1] if "?next=" in location else location[:15]
    page = response.content.decode()
    if 'data-problem="' in page:
        return response.status_code, page.split('data-problem="')[1].split('"')[0]
    return response.status_code, ""


@pytest.mark.parametrize("who", list(CLIENTS))
def test_who_may_use_each_buyer_page(scene: Return, who: str) -> None:
    client = CLIENTS[who]()
    code = scene.code
    # The forms' tokens come from the owner's pages; a caller who cannot see them posts one of its own.
    token = "a-token-of-the-callers-own"

    answers = [
        client.get("/buyer/"),
        client.get("/buyer/orders/O-A/return"),
        client.post("/buyer/orders/O-A/return", {"token": token, **line_fields(0, "L2", 1, "defective")}),
        client.get(f"/buyer/returns/{code}"),
        client.get(f"/buyer/returns/{code}/cancel"),
        client.post(f"/buyer/returns/{code}/cancel", {"token": token}),
    ]

    assert [_answer(answer) for answer in answers] == EXPECTED[who]
    # Only the owner changed anything: a second return opened, the first cancelled.
    owner = who == "buyer A"
    assert Return.objects.count() == (2 if owner else 1)
    scene.refresh_from_db()
    assert (scene.status == "cancelled") is owner
