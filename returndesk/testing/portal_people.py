"""Django test clients signed in as each kind of person the portals' permission tests cover.

Staff sign in with ``Client.force_login`` after ``accounts.services.staff_create`` (signing in
itself is the accounts tests' business); a buyer's session holds the key ``accounts.auth`` reads.
"""

from __future__ import annotations

from django.test import Client

from returndesk.accounts.auth import BUYER_SESSION_KEY
from returndesk.accounts.services import staff_create
from returndesk.marketplace.models import Buyer

# Everyone a portal page's permission test covers, by the names the tests use.
PEOPLE = (
    "buyer_a",
    "buyer_b",
    "seller_a_manager",
    "seller_a_warehouse",
    "seller_b_manager",
    "agent",
    "counter",
    "signed_out",
)
COUNTER_CARRIER = "demo-post"
COUNTER_POINT = "DEMO-1"


def staff_client(
    email: str, role: str, *, seller: str | None = None, carrier: str | None = None, point_id: str | None = None
) -> Client:
    """A client signed in as a new staff member (``seller`` must exist)."""
    membership, _password = staff_create(email=email, role=role, seller=seller, carrier=carrier, point_id=point_id)
    client = Client()
    client.force_login(membership.user)
    return client


def buyer_client(buyer: Buyer) -> Client:
    """A client whose session is ``buyer``'s, as a used sign-in link leaves it."""
    client = Client()
    session = client.session
    session[BUYER_SESSION_KEY] = buyer.pk
    session.save()
    return client


def portal_people(*, buyer_a: Buyer, buyer_b: Buyer, seller_a: str, seller_b: str) -> dict[str, Client]:
    """A client for each of ``PEOPLE``: the two buyers, seller A's manager and warehouse, seller B's
    manager, an agent, a counter clerk (carrier ``demo-post`` at point ``DEMO-1``), nobody."""
    return {
        "buyer_a": buyer_client(buyer_a),
        "buyer_b": buyer_client(buyer_b),
        "seller_a_manager": staff_client("manager@a.example", "seller_manager", seller=seller_a),
        "seller_a_warehouse": staff_client("warehouse@a.example", "seller_warehouse", seller=seller_a),
        "seller_b_manager": staff_client("manager@b.example", "seller_manager", seller=seller_b),
        "agent": staff_client("agent@returndesk.example", "agent"),
        "counter": staff_client("counter@post.example", "counter", carrier=COUNTER_CARRIER, point_id=COUNTER_POINT),
        "signed_out": Client(),
    }
