"""The admin reads well: titled returndesk, orders by external id, rows named in words."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from returndesk.scenarios.journeys import order_placed, return_opened


@pytest.fixture
def staff_client(db) -> Client:
    user = get_user_model().objects.create_superuser("admin", "admin@example.com", "pw-for-tests-only")
    client = Client()
    client.force_login(user)
    return client


def test_the_admin_is_titled_returndesk(staff_client):
    index = staff_client.get("/admin/")

    assert index.status_code == 200
    assert "<title>Orders, returns and API keys | returndesk</title>" in index.text
    assert '<a href="/admin/">returndesk</a>' in index.text


def test_orders_are_listed_by_external_id(staff_client):
    for external_id in ["O-B", "O-C", "O-A"]:
        order_placed(external_id=external_id)

    listing = staff_client.get("/admin/marketplace/order/")

    assert re.findall(r">(O-[ABC])</a>", listing.text) == ["O-A", "O-B", "O-C"]


def test_a_return_page_names_its_lines_and_events_in_words(staff_client):
    ret = return_opened(order=order_placed(external_id="O-1"))

    page = staff_client.get(f"/admin/returns/return/{ret.pk}/change/")

    assert "1 x L1: Lamp" in page.text
    assert "request: new -&gt; requested" in page.text
    assert "O-1 (number N-O-1)" in page.text
