"""Two requests using one sign-in link at once: exactly one gets a session.

Real threads on the test database, each with its own connection, as two server workers would be.
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test import Client

from returndesk.accounts.errors import SignInLinkInvalid
from returndesk.accounts.models import MagicLink
from returndesk.accounts.services import magic_link_consume, portal_link_create
from returndesk.marketplace.models import Buyer
from returndesk.scenarios.journeys import order_placed
from returndesk.testing import at_once

pytestmark = [pytest.mark.database, pytest.mark.django_db(transaction=True)]
ROUNDS = 5


@pytest.fixture(autouse=True)
def _committing(db: None) -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip("an in-memory SQLite database cannot serve a second connection; PostgreSQL runs this")
    assert not connection.in_atomic_block


def _close() -> None:
    connection.close()


def _token() -> str:
    url, _ = portal_link_create(buyer=Buyer.objects.get(), origin="https://r.example")
    return url.rsplit("/", 1)[1]


def test_one_of_two_concurrent_uses_of_a_link_wins() -> None:
    order_placed(external_id="O-RACE")
    for _ in range(ROUNDS):
        token = _token()

        def use(token: str = token) -> str:
            try:
                magic_link_consume(token=token)
            except SignInLinkInvalid as refused:
                return refused.code
            return "signed in"

        assert sorted(at_once(2, use, on_exit=_close)) == ["sign_in_link_invalid", "signed in"]
    assert MagicLink.objects.filter(used_at__isnull=False).count() == ROUNDS


def test_two_concurrent_posts_of_a_link_give_one_session() -> None:
    order_placed(external_id="O-RACE")
    token = _token()

    def post() -> tuple[int, bool]:
        client = Client()
        client.get(f"/buyer/link/{token}")
        csrf = client.cookies["csrftoken"].value
        answer = client.post(f"/buyer/link/{token}", {"csrfmiddlewaretoken": csrf})
        return answer.status_code, bool(re.search(r"sign_in_link_invalid", answer.content.decode()))

    assert sorted(at_once(2, post, on_exit=_close)) == [(303, False), (410, True)]
