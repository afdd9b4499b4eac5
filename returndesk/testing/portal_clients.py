"""Test clients signed in on the pages as each kind of person, for the portals' permission tests.

Staff are created through ``accounts.services.staff_create`` and signed in with
``Client.force_login`` (signing in itself is tested by accounts); a buyer's session holds the key
``accounts.auth`` reads. ``portal_people`` builds the cast every portal route is checked against:
two buyers, seller A's manager and warehouse, seller B's manager, an agent, a counter clerk and
someone signed out.
"""

from __future__ import annotations

from django.test import Client

from returndesk.accounts.auth import BUYER_SESSION_KEY
from returndesk.accounts.services import staff_create
from returndesk.marketplace.models import Buyer, Seller
from returndesk.scenarios.payloads import NOW


def staff_client(
    email: str,
    role: str,
    *,
    seller: str | None = None,
    carrier: str | None = None,
    point_id: str | None = None,
) -> Client:
    """A client signed in as a new staff member (the seller is created when missing)."""
    if seller is not None:
        Seller.objects.get_or_create(
            external_id=seller, defaults={"name": f"Seller {seller}", "country": "DE", "created_at": NOW}
        )
    membership, _password = staff_create(email=email, role=role, seller=seller, carrier=carrier, point_id=point_id)
    client = Client()
    client.force_login(membership.user)
    return client


def buyer_client(external_id: str) -> Client:
    """A client signed in as the buyer with this external id (as a used sign-in link leaves it)."""
    client = Client()
    session = client.session
    session[BUYER_SESSION_KEY] = Buyer.objects.get(external_id=external_id).pk
    session.save()
    return client


# The counter clerk's carrier and point: the demo carrier's, so that its keys' failures share buckets.
COUNTER_CARRIER = "demo-post"
COUNTER_POINT = "DEMO-1"

# Who a portal's routes are checked against, by name.
PEOPLE = (
    "buyer",
    "other_buyer",
    "seller_a_manager",
    "seller_a_warehouse",
    "seller_b_manager",
    "agent",
    "counter",
    "signed_out",
)


def portal_people(*, buyer: str, other_buyer: str, seller_a: str, seller_b: str) -> dict[str, Client]:
    """A client for each of ``PEOPLE``; the buyers must exist (import an order of each first)."""
    return {
        "buyer": buyer_client(buyer),
        "other_buyer": buyer_client(other_buyer),
        "seller_a_manager": staff_client(email="manager@a.example", role="seller_manager", seller=seller_a),
        "seller_a_warehouse": staff_client(email="warehouse@a.example", role="seller_warehouse", seller=seller_a),
        "seller_b_manager": staff_client(email="manager@b.example", role="seller_manager", seller=seller_b),
        "agent": staff_client(email="agent@desk.example", role="agent"),
        "counter": staff_client(
            email="counter@post.example", role="counter", carrier=COUNTER_CARRIER, point_id=COUNTER_POINT
        ),
        "signed_out": Client(),
    }
