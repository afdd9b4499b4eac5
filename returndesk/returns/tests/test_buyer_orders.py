"""The buyer portal's reads: the buyer's orders, newest first, each line returnable or why not,
with the order's returns, in a fixed number of queries."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, timedelta
from typing import Any

import pytest

from returndesk.core.actors import Actor, ActorKind
from returndesk.core.errors import Forbidden
from returndesk.marketplace.models import Order
from returndesk.policies.domain.reasons import Reason
from returndesk.returns import selectors
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.domain.requests import RequestedLine
from returndesk.returns.errors import AlreadyReturned, BuyerOrderNotFound
from returndesk.returns.models import Return
from returndesk.scenarios.journeys import return_opened, return_to
from returndesk.scenarios.payloads import line_payload
from returndesk.testing import NOW

pytestmark = pytest.mark.django_db
# Orders, their lines, their returns, those returns' lines, their sellers' policies in force.
QUERIES = 5


def buyer(order: Order) -> Actor:
    return Actor(kind=ActorKind.BUYER, id=order.buyer.external_id, buyer_id=order.buyer_id)


def placed(make_order: Callable[..., Order], days_ago: int, **kwargs: Any) -> Order:
    return make_order(
        placed_at=NOW - timedelta(days=days_ago + 7), delivered_at=NOW - timedelta(days=days_ago), **kwargs
    )


@pytest.mark.parametrize("count", [1, 20])
def test_a_page_of_orders_costs_the_same_queries_for_one_or_twenty(
    make_order: Callable[..., Order], django_assert_num_queries: Callable[..., Any], count: int
) -> None:
    orders = [placed(make_order, day) for day in range(count)]
    for order in orders:
        return_opened(order=order)

    with django_assert_num_queries(QUERIES):
        page, next_cursor = selectors.orders_for_buyer(actor=buyer(orders[0]), now=NOW)
        [[line.eligibility for line in order.lines] for order in page]
        [[line.order_line.title for line in ret.lines.all()] for order in page for ret in order.returns]

    assert ([order.order.pk for order in page], next_cursor) == ([order.pk for order in orders], None)


def test_orders_come_twenty_a_page_newest_placed_first_and_only_the_buyers(make_order: Callable[..., Order]) -> None:
    orders = [placed(make_order, day) for day in range(21)]
    placed(make_order, 0, buyer="B-2")

    first, cursor = selectors.orders_for_buyer(actor=buyer(orders[0]), now=NOW)
    second, last = selectors.orders_for_buyer(actor=buyer(orders[0]), now=NOW, cursor=cursor)

    assert ([o.order.pk for o in first + second], len(first), last) == ([o.pk for o in orders], 20, None)


def test_each_line_says_how_many_units_are_returnable_or_why_not(make_order: Callable[..., Order]) -> None:
    order = placed(
        make_order,
        3,
        lines=[
            line_payload("L1", quantity=2),
            line_payload("L2"),
            line_payload("L3", final_sale=True),
        ],
    )
    holding = return_opened(order=order, lines=[RequestedLine(line="L2", quantity=1, reason=Reason.DEFECTIVE)])
    released = return_to(return_opened(order=order), Status.CANCELLED)

    answer = selectors.order_for_buyer(external_id=order.external_id, actor=buyer(order), now=NOW)

    # A final-sale line stays returnable if faulty or wrong, and says so.
    assert [
        (line.line.external_id, line.eligibility.returnable_quantity, line.eligibility.returnable, line.why_not)
        for line in answer.lines
    ] == [
        ("L1", 2, True, ""),
        ("L2", 0, False, "already_returned"),
        ("L3", 1, True, "final_sale"),
    ]
    assert (answer.lines[1].held_by, [ret.code for ret in answer.returns]) == (
        (holding.code,),
        [released.code, holding.code],
    )


def test_a_closed_window_carries_its_last_day_in_the_buyers_time_zone(make_order: Callable[..., Order]) -> None:
    order = placed(make_order, 40)

    answer = selectors.order_for_buyer(external_id=order.external_id, actor=buyer(order), now=NOW)

    # The window's 30th day, Saturday 28 February, rolls to Monday 2 March (a business day in Spain).
    assert [(line.why_not, line.eligibility.last_day) for line in answer.lines] == [
        ("window_closed", date(2026, 3, 2)),
        ("window_closed", date(2026, 3, 2)),
    ]


def test_an_undelivered_order_is_not_returnable_yet(make_order: Callable[..., Order]) -> None:
    order = make_order(delivered_at=None)

    answer = selectors.order_for_buyer(external_id=order.external_id, actor=buyer(order), now=NOW)

    assert {line.why_not for line in answer.lines} == {"not_delivered"}


def test_another_buyers_order_is_not_found(make_order: Callable[..., Order]) -> None:
    mine, theirs = make_order(), make_order(buyer="B-2")

    with pytest.raises(BuyerOrderNotFound) as missing:
        selectors.order_for_buyer(external_id=theirs.external_id, actor=buyer(mine), now=NOW)

    assert (missing.value.status, missing.value.code) == (404, "not_found")


def test_only_buyers_have_orders_here(make_order: Callable[..., Order]) -> None:
    order = make_order()

    with pytest.raises(Forbidden):
        selectors.orders_for_buyer(actor=Actor(kind=ActorKind.AGENT, id="user:1"), now=NOW)
    with pytest.raises(Forbidden):
        selectors.order_for_buyer(
            external_id=order.external_id, actor=Actor(kind=ActorKind.AGENT, id="user:1"), now=NOW
        )


def test_return_open_refuses_what_the_buyers_page_shows_as_not_returnable(make_order: Callable[..., Order]) -> None:
    order = placed(make_order, 3, lines=[line_payload("L1")])
    return_opened(order=order)
    page = selectors.order_for_buyer(external_id=order.external_id, actor=buyer(order), now=NOW)

    with pytest.raises(AlreadyReturned):
        return_opened(order=order)

    assert page.lines[0].why_not == "already_returned"


def test_returns_in_the_page_are_the_orders_own(make_order: Callable[..., Order]) -> None:
    order = make_order()
    ret: Return = return_opened(order=order)
    make_order(buyer="B-2")

    page, _ = selectors.orders_for_buyer(actor=buyer(order), now=NOW)

    assert [[r.pk for r in o.returns] for o in page] == [[ret.pk]]
