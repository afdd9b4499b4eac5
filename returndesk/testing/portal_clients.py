"""Django test clients signed in as each kind of person the portals serve, and permission tables.

``portal_scene()`` sets a scene through the real services and gives a client per person in
``WHO``:

- ``buyer_a`` (B-A, who bought order ``order_a`` from seller S-A and opened return ``return_a``)
  and ``buyer_b`` (B-B: ``order_b`` from S-B, ``return_b``), signed in as a buyer link does (the
  session's ``accounts.auth.BUYER_SESSION_KEY``);
- ``seller_a_manager``, ``seller_a_warehouse`` (S-A) and ``seller_b_manager`` (S-B), ``agent`` and
  ``counter`` (carrier ``demo-post``, point ``DEMO-1``): staff made by ``accounts.services.staff_create``
  and signed in with ``Client.force_login``;
- ``signed_out``: nobody.

A permission test is a table: one ``Route`` per page route and method, with the answer expected
for each person, written as ``answer`` reads a response: ``"200"``; a redirect with where it goes,
``"302 /sign-in/?next=/seller/"``; a problem with its code, ``"403 forbidden"``. A route's path
may name the scene's values (``"/buyer/returns/{return_a}"``), filled in by ``PortalScene.path``.
``everyone("200", signed_out="302 /buyer/")`` writes a row that is the same for all but a few::

    ROUTES = [Route("GET", "/seller/", everyone("403 forbidden", seller_a_manager="200", ...)), ...]

    @pytest.mark.parametrize("route", ROUTES, ids=str)
    def test_who_may_open_each_page(portal_scene, route):
        assert portal_scene.answers(route) == route.expected

Comparing the whole row at once shows every person whose answer differs in one failure.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from urllib.parse import urlencode

from django.http import HttpResponse, HttpResponseBase
from django.test import Client

from returndesk.accounts.auth import BUYER_SESSION_KEY
from returndesk.accounts.services import staff_create
from returndesk.core import clock
from returndesk.core.problems import CONTENT_TYPE
from returndesk.marketplace.models import Buyer, Seller
from returndesk.scenarios.journeys import order_placed, return_opened
from returndesk.scenarios.payloads import NOW, buyer_payload

# The counter clerk's carrier and point: the demo carrier's, so that its keys' failures share buckets.
COUNTER_CARRIER = "demo-post"
COUNTER_POINT = "DEMO-1"

WHO = (
    "buyer_a",
    "buyer_b",
    "seller_a_manager",
    "seller_a_warehouse",
    "seller_b_manager",
    "agent",
    "counter",
    "signed_out",
)
# Each staff member of the scene: (email, role, where they work).
STAFF: dict[str, tuple[str, str, dict[str, str]]] = {
    "seller_a_manager": ("manager@s-a.example", "seller_manager", {"seller": "S-A"}),
    "seller_a_warehouse": ("warehouse@s-a.example", "seller_warehouse", {"seller": "S-A"}),
    "seller_b_manager": ("manager@s-b.example", "seller_manager", {"seller": "S-B"}),
    "agent": ("agent@returndesk.example", "agent", {}),
    "counter": ("counter@post.example", "counter", {"carrier": COUNTER_CARRIER, "point_id": COUNTER_POINT}),
}
_PROBLEM_HOOK = re.compile(r'data-problem="([a-z_]+)"')


def answer(response: HttpResponseBase) -> str:
    """A response as a permission table writes it: the status; for a redirect, then where it
    goes; for a problem (a page's ``data-problem`` hook, or the API's problem JSON), then its code."""
    status = response.status_code
    if 300 <= status < 400:
        return f"{status} {response['Location']}"
    if status < 400:
        return str(status)
    # A page is never streamed; a streamed answer (a file) has no problem to read.
    body = response.content if isinstance(response, HttpResponse) else b""
    if response.get("Content-Type", "").startswith(CONTENT_TYPE):
        return f"{status} {json.loads(body)['code']}"
    found = _PROBLEM_HOOK.search(body.decode(errors="replace"))
    return f"{status} {found.group(1)}" if found else str(status)


def everyone(expected: str, **but: str) -> dict[str, str]:
    """The row answering ``expected`` for every person in ``WHO`` but those named in ``but``."""
    unknown = set(but) - set(WHO)
    if unknown:
        raise ValueError(f"not in WHO: {sorted(unknown)}")
    return {who: but.get(who, expected) for who in WHO}


@dataclass(frozen=True)
class Route:
    """One row of a permission table: ``method path`` (with ``data`` for a POST) and the answer
    expected for each person in ``WHO``."""

    method: str
    path: str
    expected: Mapping[str, str]
    data: Mapping[str, str] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if set(self.expected) != set(WHO):
            raise ValueError(f"{self}: a row names every person in WHO; missing {set(WHO) - set(self.expected)}")

    def __str__(self) -> str:
        return f"{self.method} {self.path}"


@dataclass(frozen=True)
class PortalScene:
    """A client per person in ``WHO`` and the scene's names for paths (``order_a``, ``return_a``, ...)."""

    clients: Mapping[str, Client]
    values: Mapping[str, str]

    def path(self, route: Route) -> str:
        return route.path.format_map(self.values)

    def answers(self, route: Route) -> dict[str, str]:
        """What each person gets for ``route``, as ``answer`` writes it."""
        path = self.path(route)
        return {who: answer(self.clients[who].generic(route.method, path, *_form(route))) for who in WHO}


def _form(route: Route) -> tuple[str, str]:
    """The body and content type of ``route``'s request: its data as a posted form, or nothing."""
    if not route.data:
        return "", "application/octet-stream"
    return urlencode(dict(route.data)), "application/x-www-form-urlencoded"


def buyer_client(external_id: str, *, csrf_checks: bool = False) -> Client:
    """A client signed in as the buyer with this external id, as using a sign-in link leaves the session."""
    client = Client(enforce_csrf_checks=csrf_checks)
    session = client.session
    session[BUYER_SESSION_KEY] = Buyer.objects.get(external_id=external_id).pk
    session.save()
    return client


def staff_client(email: str, role: str, *, csrf_checks: bool = False, **placement: str) -> Client:
    """A client signed in as a new staff member (``accounts.services.staff_create``); a seller
    named in ``placement`` is created when missing."""
    if placement.get("seller"):
        Seller.objects.get_or_create(
            external_id=placement["seller"],
            defaults={"name": f"Seller {placement['seller']}", "country": "DE", "created_at": NOW},
        )
    membership, _password = staff_create(email=email, role=role, **placement)
    client = Client(enforce_csrf_checks=csrf_checks)
    client.force_login(membership.user)
    return client


def portal_scene(*, now: datetime | None = None, csrf_checks: bool = False) -> PortalScene:
    """The scene of the module docstring, at ``now`` (the wall clock's, as pages use, unless told):
    each buyer's order was delivered three days before and has one requested return."""
    at = now or clock.now()
    clients: dict[str, Client] = {}
    values: dict[str, str] = {}
    for letter in ("a", "b"):
        seller, buyer = f"S-{letter.upper()}", f"B-{letter.upper()}"
        order = order_placed(
            now=at,
            external_id=f"O-{letter.upper()}",
            seller=seller,
            buyer=buyer_payload(buyer),
            delivered_at=at - timedelta(days=3),
        )
        values[f"order_{letter}"] = order.external_id
        values[f"return_{letter}"] = return_opened(order=order, now=at).code
        clients[f"buyer_{letter}"] = buyer_client(buyer, csrf_checks=csrf_checks)
    for who, (email, role, placement) in STAFF.items():
        clients[who] = staff_client(email, role, csrf_checks=csrf_checks, **placement)
    clients["signed_out"] = Client(enforce_csrf_checks=csrf_checks)
    return PortalScene(clients=clients, values=values)


def portal_people(*, buyer_a: str, buyer_b: str, seller_a: str, seller_b: str) -> dict[str, Client]:
    """A client for each person in ``WHO``, for a scene a test sets itself (``portal_scene`` sets
    its own): the buyers by external id must exist (import an order of each first)."""
    return {
        "buyer_a": buyer_client(buyer_a),
        "buyer_b": buyer_client(buyer_b),
        "seller_a_manager": staff_client("manager@a.example", "seller_manager", seller=seller_a),
        "seller_a_warehouse": staff_client("warehouse@a.example", "seller_warehouse", seller=seller_a),
        "seller_b_manager": staff_client("manager@b.example", "seller_manager", seller=seller_b),
        "agent": staff_client("agent@desk.example", "agent"),
        "counter": staff_client("counter@post.example", "counter", carrier=COUNTER_CARRIER, point_id=COUNTER_POINT),
        "signed_out": Client(),
    }
