"""The admin shows refunds, their lines and transactions, and changes none of them."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from returndesk.refunds.models import Refund
from returndesk.refunds.services import return_refund
from returndesk.refunds.tests.conftest import seller_of

pytestmark = pytest.mark.django_db


@pytest.fixture
def staff_client(db: None) -> Client:
    user = get_user_model().objects.create_superuser("admin", "admin@example.com", "pw-for-tests-only")
    client = Client()
    client.force_login(user)
    return client


def test_a_refund_page_shows_its_transactions_read_only(staff_client, inspected) -> None:
    ret = inspected()
    return_refund(actor=seller_of(ret), code=ret.code, request_key="admin")
    refund = Refund.objects.get()

    page = staff_client.get(f"/admin/refunds/refund/{refund.pk}/change/")
    deleted = staff_client.post(f"/admin/refunds/refund/{refund.pk}/delete/", {"post": "yes"})

    assert page.status_code == 200
    assert "19.5000 to payment" in page.text
    assert (deleted.status_code, Refund.objects.count()) == (403, 1)
