"""The demo buyer Ana's portal shows every refusal a line can have before she asks (the last,
quantity_exceeded, comes only from a request): her orders at Lumen Lighting, placed after its
policy, and her desk lamp already in a return."""

from __future__ import annotations

import pytest

from returndesk.core.actors import Actor, ActorKind
from returndesk.demo.seed import demo_seed
from returndesk.marketplace.models import Buyer
from returndesk.returns import selectors
from returndesk.testing import NOW


@pytest.mark.django_db
def test_anas_orders_show_each_refusal_with_its_sentence() -> None:
    demo_seed(now=NOW)
    ana = Buyer.objects.get(external_id="B-ANA")

    page, _ = selectors.orders_for_buyer(actor=Actor(kind=ActorKind.BUYER, id="B-ANA", buyer_id=ana.pk), now=NOW)

    refusals = {
        (order.order.external_id, line.line.title): [refusal.code.value for refusal in line.eligibility.refusals]
        for order in page
        for line in order.lines
        if line.eligibility.refusals
    }
    assert refusals == {
        ("O-1001", "Desk lamp, brass"): ["already_returned"],
        # Approved 13 days ago and never handed over: it holds the beanie until the clock expires it.
        ("O-1009", "Beanie"): ["window_closed", "already_returned"],
        ("O-1010", "Pendant lamp, opal"): ["non_returnable_category"],
        ("O-1010", "Lamp shade, clearance"): ["final_sale", "non_returnable_category"],
        ("O-1010", "LED bulbs, pack of 6"): ["non_returnable_category", "non_returnable_sku"],
        # Not delivered, or delivered long ago: no withdrawal, so Lighting's listing shows too.
        ("O-1011", "Floor lamp, walnut"): ["not_delivered", "non_returnable_category"],
        ("O-1012", "Wall light, pair"): ["window_closed", "non_returnable_category"],
    }
