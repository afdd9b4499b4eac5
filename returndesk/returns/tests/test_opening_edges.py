"""Opening where its rules meet: an EU withdrawal is the whole return's, and the preview says what
opening will do about a seller without a return address."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest

from returndesk.marketplace.models import Seller
from returndesk.policies.domain.policy import AutoApprove
from returndesk.policies.domain.reasons import Reason
from returndesk.returns.models import Return
from returndesk.returns.tests.test_opening_policy import line, post, seller_policy
from returndesk.scenarios.payloads import line_payload
from returndesk.testing import NOW, frozen_clock, iso

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _now() -> Iterator[None]:
    with frozen_clock(NOW):
        yield


def test_a_return_is_an_eu_withdrawal_only_when_every_line_is_within_the_14_days(make_order, keys):
    # The buyer in Madrid; L1 came with the order three days ago, L2 on its own twenty days ago.
    order = make_order(
        placed_at=NOW - timedelta(days=30),
        lines=[
            line_payload("L1", title="Swim shorts", category="Swimwear"),
            line_payload("L2", title="Swim cap", category="Swimwear", delivered_at=iso(NOW - timedelta(days=20))),
        ],
    )
    seller_policy("S-A", non_returnable_categories=("Swimwear",))
    client = keys.client("platform")

    both = post(client, "/api/v1/returns", order, line("L1", reason="changed_mind"), line("L2", reason="changed_mind"))
    alone = post(client, "/api/v1/returns", order, line("L1", reason="changed_mind"))

    assert (both.status_code, [(e["line"], e["code"]) for e in both.json()["errors"]]) == (
        422,
        [("L1", "non_returnable_category"), ("L2", "non_returnable_category")],
    )
    assert (alone.status_code, Return.objects.get().eu_withdrawal) == (201, True)


def test_the_preview_says_no_auto_approval_without_a_return_address(make_order, keys):
    order = make_order()
    seller_policy("S-A", auto_approve=AutoApprove(reasons=(Reason.DEFECTIVE,)))
    Seller.objects.filter(external_id="S-A").update(return_address=None)

    preview = post(keys.client("platform"), "/api/v1/returns/preview", order, line())
    opened = post(keys.client("platform"), "/api/v1/returns", order, line())

    assert (preview.json()["auto_approve"], opened.status_code, opened.json()["status"]) == (False, 201, "requested")
