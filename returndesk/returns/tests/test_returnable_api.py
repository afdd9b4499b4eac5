"""GET /orders/{external_id}/returnable: each line's units, window, reasons and refusals, read in a
fixed number of queries under the policy in force."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from returndesk.core.actors import ActorKind
from returndesk.marketplace.models import Order, Seller
from returndesk.policies.domain.policy import ReturnPolicy, policy_to_json
from returndesk.policies.domain.reasons import Reason
from returndesk.policies.models import PolicyVersion
from returndesk.returns import selectors
from returndesk.returns.domain.requests import RequestedLine
from returndesk.scenarios.journeys import return_opened
from returndesk.scenarios.payloads import buyer_payload, line_payload
from returndesk.testing import NOW, frozen_clock
from returndesk.testing.api_matrix import PREFIX

pytestmark = pytest.mark.django_db

EVERY_REASON = [reason.value for reason in Reason]
SELLER_FAULT = ["defective", "not_as_described", "wrong_item", "damaged_in_transit", "missing_parts"]
US_BUYER = buyer_payload("B-US", country="US", time_zone="America/New_York")
ONLY_IF_FAULTY = "returnable only if faulty, wrong or not as described."


@pytest.fixture(autouse=True)
def _now() -> Iterator[None]:
    with frozen_clock(NOW):
        yield


@pytest.fixture
def policy_in_force(db: None) -> Callable[..., int]:
    """Put a version of ``policy`` in force for seller S-A (made by its first order); its number."""

    def put(policy: ReturnPolicy, *, seller: str = "S-A") -> int:
        row = PolicyVersion.objects.create(
            seller=Seller.objects.get(external_id=seller),
            document=policy_to_json(policy),
            effective_at=NOW,
            actor_kind=ActorKind.PLATFORM,
        )
        return row.version

    return put


def returnable(keys: Any, order: str, caller: str = "platform") -> Any:
    response = keys.client(caller).get(f"{PREFIX}/orders/{order}/returnable")
    assert response.status_code == 200, response.content
    return response.json()


def line_of(keys: Any, order: Order, line: str = "L1") -> dict[str, Any]:
    (found,) = [item for item in returnable(keys, order.external_id)["lines"] if item["line"] == line]
    return found


def test_the_answer(keys, make_order):
    order = make_order()
    return_opened(order=order, lines=[RequestedLine(line="L1", quantity=1, reason=Reason.DEFECTIVE)])

    answer = returnable(keys, order.external_id)

    # Delivered 7 March in Madrid: the last day is Monday 6 April, the end midnight starting the 7th.
    assert answer == {
        "order": order.external_id,
        "currency": "EUR",
        "policy_version": 1,
        "eu_buyer": True,
        "lines": [
            {
                "line": "L1",
                "sku": "SKU-1",
                "title": "Lamp",
                "quantity": 2,
                "returnable_quantity": 1,
                "window_ends_at": "2026-04-06T22:00:00Z",
                "returnable": True,
                "reasons_allowed": EVERY_REASON,
                "refusals": [],
            },
            {
                "line": "L2",
                "sku": "SKU-2",
                "title": "Cable",
                "quantity": 1,
                "returnable_quantity": 1,
                "window_ends_at": "2026-04-06T22:00:00Z",
                "returnable": True,
                "reasons_allowed": EVERY_REASON,
                "refusals": [],
            },
        ],
    }


def test_not_delivered(keys, make_order):
    line = line_of(keys, make_order(delivered_at=None, lines=[line_payload("L1", title="Desk lamp")]))

    assert (line["returnable"], line["returnable_quantity"], line["window_ends_at"], line["reasons_allowed"]) == (
        False,
        0,
        None,
        [],
    )
    assert line["refusals"] == [{"code": "not_delivered", "message": "Desk lamp has not been delivered yet."}]


def test_window_closed(keys, make_order):
    # Delivered 1 February in Madrid: the last day is Tuesday 3 March.
    order = make_order(delivered_at=NOW - timedelta(days=37), lines=[line_payload("L1", title="Desk lamp")])

    line = line_of(keys, order)

    assert (line["returnable"], line["returnable_quantity"], line["window_ends_at"]) == (
        False,
        0,
        "2026-03-03T23:00:00Z",
    )
    assert line["refusals"] == [{"code": "window_closed", "message": "Desk lamp could be returned until 3 March 2026."}]


def test_final_sale(keys, make_order):
    line = line_of(keys, make_order(lines=[line_payload("L1", title="Desk lamp", final_sale=True)]))

    assert (line["returnable"], line["reasons_allowed"]) == (True, SELLER_FAULT)
    assert line["refusals"] == [
        {"code": "final_sale", "message": f"Desk lamp was sold as final sale: {ONLY_IF_FAULTY}"}
    ]


def test_non_returnable_category_and_sku(keys, make_order, policy_in_force):
    lines = [line_payload("L1", title="Bikini", category="Swimwear"), line_payload("L2", title="Goggles")]
    order = make_order(buyer=US_BUYER, lines=lines)
    version = policy_in_force(ReturnPolicy(non_returnable_categories=("swimwear",), non_returnable_skus=("SKU-L2",)))

    answer = returnable(keys, order.external_id)

    assert (answer["policy_version"], answer["eu_buyer"]) == (version, False)
    assert version > 1
    assert [(line["returnable"], line["reasons_allowed"], line["refusals"]) for line in answer["lines"]] == [
        (True, SELLER_FAULT, [{"code": "non_returnable_category", "message": f"Swimwear is {ONLY_IF_FAULTY}"}]),
        (True, SELLER_FAULT, [{"code": "non_returnable_sku", "message": f"Goggles is {ONLY_IF_FAULTY}"}]),
    ]


def test_an_eu_withdrawal_is_not_refused_by_a_listing(keys, make_order, policy_in_force):
    order = make_order(lines=[line_payload("L1", title="Bikini", category="Swimwear")])
    policy_in_force(ReturnPolicy(non_returnable_categories=("Swimwear",)))

    line = line_of(keys, order)

    assert (line["reasons_allowed"], line["refusals"]) == (EVERY_REASON, [])


def test_already_returned(keys, make_order):
    order = make_order()
    return_opened(order=order, lines=[RequestedLine(line="L1", quantity=2, reason=Reason.DEFECTIVE)])

    line = line_of(keys, order)

    assert (line["returnable"], line["returnable_quantity"], line["reasons_allowed"]) == (False, 0, [])
    assert line["refusals"] == [{"code": "already_returned", "message": "Both units are already in a return."}]


def test_a_cancelled_return_holds_no_unit(keys, make_order):
    order = make_order()
    ret = return_opened(order=order, lines=[RequestedLine(line="L1", quantity=2, reason=Reason.DEFECTIVE)])
    keys.client("platform").post(f"{PREFIX}/returns/{ret.code}/cancel", "{}", content_type="application/json")

    assert line_of(keys, order)["returnable_quantity"] == 2


def test_the_policy_window_and_the_buyers_country(keys, make_order, policy_in_force):
    # A 14-day window from 7 March in New York ends on Saturday 21 March: rolled to Monday the 23rd.
    order = make_order(buyer=US_BUYER)
    policy_in_force(ReturnPolicy(window_days=14))

    assert line_of(keys, order)["window_ends_at"] == "2026-03-24T04:00:00Z"


def test_a_seller_sees_its_own_orders_only(keys, make_order):
    order = make_order()

    other = keys.client("seller_b").get(f"{PREFIX}/orders/{order.external_id}/returnable")
    missing = keys.client("seller_b").get(f"{PREFIX}/orders/O-NONE/returnable")

    assert returnable(keys, order.external_id, "seller_a")["order"] == order.external_id
    assert [(answer.status_code, answer.json()["code"]) for answer in (other, missing)] == [
        (404, "order_not_found"),
        (404, "order_not_found"),
    ]


@pytest.mark.parametrize("count", [1, 20])
def test_a_fixed_number_of_queries_for_any_number_of_lines(keys, make_order, django_assert_num_queries, count):
    order = make_order(lines=[line_payload(f"L{n}", quantity=2) for n in range(1, count + 1)])
    return_opened(order=order, lines=[RequestedLine(line="L1", quantity=1, reason=Reason.DEFECTIVE)])

    # The order with its buyer; the policy in force; its lines with the units returns hold.
    with django_assert_num_queries(3):
        answer = selectors.order_returnable(external_id=order.external_id, actor=keys.actors["platform"], now=NOW)

    assert [item.eligibility.returnable_quantity for item in answer.lines] == [1] + [2] * (count - 1)
