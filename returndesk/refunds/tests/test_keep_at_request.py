"""The keep at request: when the advice suggests keeping the item (worth less than the policy's
``keep_item_below``) and the buyer asked for a refund or to keep it, the system keeps the return
as it opens, instead of approving it: the 201 shows ``refunding``, ``keep_item``."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from returndesk.marketplace.models import Order
from returndesk.policies.services import policy_put
from returndesk.refunds.models import Refund
from returndesk.refunds.offers import KEEPER
from returndesk.testing import NOW, Keys, frozen_clock

pytestmark = pytest.mark.django_db

JSON = "application/json"


@pytest.fixture
def cheap_order(make_order: Callable[..., Order], keys: Keys) -> Order:
    """An order of S-A whose seller lets buyers keep returns worth less than 20.00 EUR, and
    auto-approves returns of buyers who changed their minds (keeping comes first)."""
    order = make_order()
    policy_put(
        actor=keys.actors["platform"],
        seller="S-A",
        body={"keep_item_below": {"EUR": "20.00"}, "auto_approve": {"reasons": ["changed_mind"]}},
        now=NOW - timedelta(days=1),
    )
    return order


def open_return(keys: Keys, order: Order, line: str, preferred: str) -> Any:
    body = {
        "order": order.external_id,
        "lines": [{"line": line, "quantity": 1, "reason": "changed_mind"}],
        "preferred_resolution": preferred,
    }
    with frozen_clock(NOW):
        return keys.client("platform").post("/api/v1/returns", json.dumps(body), content_type=JSON)


@pytest.mark.parametrize("preferred", ["refund", "keep_item"])
def test_the_system_keeps_a_cheap_return_as_it_opens(keys, cheap_order, preferred):
    # One lamp of two: a paid share of 18.00, under 20.00.
    response = open_return(keys, cheap_order, "L1", preferred)

    body = response.json()
    (refund,) = body["refunds"]
    assert (response.status_code, body["status"], body["resolution"]) == (201, "refunding", "keep_item")
    amounts = [line["amount"] for line in refund["lines"]]
    assert (refund["kind"], refund["total"], amounts) == ("keep", "18.00", ["18.00"])
    assert [(event["action"], event["actor"]["kind"], event["actor"]["id"]) for event in body["timeline"]] == [
        ("request", "platform", keys.actors["platform"].id),
        ("keep", "system", KEEPER.id),
    ]


def test_a_buyer_who_wants_an_exchange_is_not_kept(keys, cheap_order):
    response = open_return(keys, cheap_order, "L1", "exchange")

    assert (response.status_code, response.json()["status"], Refund.objects.count()) == (201, "approved", 0)


def test_a_return_worth_the_threshold_or_more_is_not_kept(keys, cheap_order):
    # The cable: 24.00.
    response = open_return(keys, cheap_order, "L2", "refund")

    assert (response.status_code, response.json()["status"], Refund.objects.count()) == (201, "approved", 0)


def test_the_preview_says_the_system_will_not_approve_a_return_it_keeps(keys, cheap_order):
    body = {"order": cheap_order.external_id, "lines": [{"line": "L1", "quantity": 1, "reason": "changed_mind"}]}
    with frozen_clock(NOW):
        response = keys.client("platform").post("/api/v1/returns/preview", json.dumps(body), content_type=JSON)

    answer = response.json()
    assert (response.status_code, answer["auto_approve"], answer["advice"]["suggestion"]) == (200, False, "keep_item")
