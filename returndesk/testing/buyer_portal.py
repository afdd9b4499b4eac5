"""Test clients signed in on the pages as each kind of person, for the portals' permission tests.

``buyer_client(buyer)`` holds a session signed in as that buyer, the way a used sign-in link
leaves it (``accounts.auth.BUYER_SESSION_KEY``); ``staff_client(...)`` a staff member made by
``accounts.services.staff_create`` and signed in with ``force_login``.
"""

from __future__ import annotations

from django.test import Client

from returndesk.accounts.auth import BUYER_SESSION_KEY
from returndesk.accounts.services import staff_create
from returndesk.marketplace.models import Buyer


def buyer_client(buyer: Buyer) -> Client:
    client = Client()
    session = client.session
    session[BUYER_SESSION_KEY] = buyer.pk
    session.save()
    return client


def staff_client(
    *, email: str, role: str, seller: str | None = None, carrier: str | None = None, point_id: str | None = None
) -> Client:
    membership, _password = staff_create(email=email, role=role, seller=seller, carrier=carrier, point_id=point_id)
    client = Client()
    client.force_login(membership.user)
    return client
