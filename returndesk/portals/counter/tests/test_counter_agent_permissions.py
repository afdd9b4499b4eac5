"""Who may open the counter's and customer service's pages: counter clerks the counter, agents the
console; every other signed-in person 403 ``forbidden``, nobody signed in the sign-in page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest

from returndesk.returns.domain.lifecycle import Status
from returndesk.scenarios.journeys import return_to
from returndesk.scenarios.payloads import buyer_payload
from returndesk.testing import NOW, frozen_clock
from returndesk.testing.portal_clients import WHO, portal_people

AT = NOW + timedelta(days=1)
OK = (200, "")
FORBIDDEN = (403, "forbidden")
ROUTES = ("counter", "counter check", "agent", "agent search", "agent return")
COUNTER_ROUTES = {"counter": OK, "counter check": OK, **dict.fromkeys(ROUTES[2:], FORBIDDEN)}
AGENT_ROUTES = {**dict.fromkeys(ROUTES[:2], FORBIDDEN), "agent": OK, "agent search": OK, "agent return": OK}
SIGNED_OUT = {
    "counter": (302, "/sign-in/?next=/counter/"),
    "counter check": (302, "/sign-in/?next=/counter/check"),
    "agent": (302, "/sign-in/?next=/agent/"),
    "agent search": (302, "/sign-in/?next=/agent/%3Fq%3Db-1%2540example.com"),
    "agent return": (302, "/sign-in/?next=/agent/returns/{code}"),
}
EXPECTED = {
    "buyer_a": dict.fromkeys(ROUTES, FORBIDDEN),
    "buyer_b": dict.fromkeys(ROUTES, FORBIDDEN),
    "seller_a_manager": dict.fromkeys(ROUTES, FORBIDDEN),
    "seller_a_warehouse": dict.fromkeys(ROUTES, FORBIDDEN),
    "seller_b_manager": dict.fromkeys(ROUTES, FORBIDDEN),
    "agent": AGENT_ROUTES,
    "counter": COUNTER_ROUTES,
    "signed_out": SIGNED_OUT,
}


@pytest.fixture
def scene(make_order, make_return):
    """Seller S-A's approved return for buyer B-1 (B-2 has an order of S-B's), and everyone's client."""
    with frozen_clock(AT):
        ret = return_to(make_return(order=make_order(buyer=buyer_payload("B-1"))), Status.APPROVED)
        make_order(buyer=buyer_payload("B-2"), seller="S-B")
        people = portal_people(
            buyer_a="B-1",
            buyer_b="B-2",
            seller_a="S-A",
            seller_b="S-B",
        )
        yield ret, people


def outcome(response) -> tuple[int, str]:
    """The status and what tells the answers apart: the redirect's target or the problem's code."""
    if response.status_code == 302:
        return 302, response["Location"]
    found = re.search(r'data-problem="([a-z_]+)"', response.text)
    return response.status_code, found.group(1) if found else ""


@pytest.mark.parametrize("person", WHO)
def test_each_route_admits_its_own_staff_only(scene, person):
    ret, people = scene
    client = people[person]

    with frozen_clock(AT):
        answers = {
            "counter": outcome(client.get("/counter/")),
            "counter check": outcome(client.post("/counter/check", {"code": ret.code})),
            "agent": outcome(client.get("/agent/")),
            "agent search": outcome(client.get("/agent/", {"q": "b-1@example.com"})),
            "agent return": outcome(client.get(f"/agent/returns/{ret.code}")),
        }

    expected = {route: (status, then.format(code=ret.code)) for route, (status, then) in EXPECTED[person].items()}
    assert answers == expected
