"""The demo shows issue 9's money on Lumen Lighting's returns: a refund with the dates its money
is expected between, an open offer, a refund held above Lumen's limit, and a manual refund the
seller has not confirmed."""

from __future__ import annotations

from decimal import Decimal

import pytest

from returndesk.demo.seed import demo_seed
from returndesk.refunds.models import Offer, RefundTransaction
from returndesk.testing import NOW


@pytest.mark.django_db(transaction=True)
def test_the_demo_has_a_dated_refund_an_open_offer_a_held_and_an_unconfirmed_manual_refund() -> None:
    demo_seed(now=NOW)

    transactions = {
        row.refund.return_request.order.external_id: (row.gateway, row.status, row.awaiting)
        for row in RefundTransaction.objects.select_related("refund__return_request__order")
    }
    offers = list(Offer.objects.values_list("return_request__order__external_id", "state", "amount"))

    assert transactions == {
        "O-1013": ("fake", "succeeded", ""),
        "O-1015": ("fake", "held", ""),
        "O-1016": ("manual", "pending", "confirmation"),
    }
    assert offers == [("O-1014", "open", Decimal("15.00"))]
