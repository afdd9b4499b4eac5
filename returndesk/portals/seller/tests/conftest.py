from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta

import pytest
from django.test import Client

from returndesk.marketplace.models import Order
from returndesk.testing import NOW, frozen_clock
from returndesk.testing.portal_clients import portal_people


@pytest.fixture(autouse=True)
def _an_hour_after_now() -> Iterator[None]:
    """The pages judge deadlines by the clock: an hour after the tests' returns are opened."""
    with frozen_clock(NOW + timedelta(hours=1)):
        yield


@pytest.fixture
def people(keys: object, make_order: Callable[..., Order]) -> dict[str, Client]:
    """``testing.portal_clients.WHO`` for sellers S-A and S-B; buyer B-1 is make_return's."""
    make_order(buyer="B-1")
    make_order(buyer="B-2")
    return portal_people(buyer_a="B-1", buyer_b="B-2", seller_a="S-A", seller_b="S-B")
