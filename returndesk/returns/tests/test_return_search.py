"""Finding returns: counts per status for a queue, the list's order, order-number and email
filters (index-served), and the search boxes' code lookup that never counts as a failure."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.db import connection

from returndesk.core.actors import Actor, ActorKind
from returndesk.core.errors import Forbidden
from returndesk.core.models import RateCounter
from returndesk.marketplace.models import Order
from returndesk.returns import selectors
from returndesk.returns.domain import codes
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.models import Return
from returndesk.scenarios.journeys import return_to
from returndesk.testing import Keys, mistyped

pytestmark = pytest.mark.django_db


def seller_user(seller_id: int) -> Actor:
    return Actor(kind=ActorKind.SELLER_USER, id="user:1", seller_id=seller_id)


# --- Counts per status ------------------------------------------------------------------------


def test_counts_per_status_are_scoped_and_one_query(
    make_return: Callable[..., Return],
    make_order: Callable[..., Order],
    keys: Keys,
    django_assert_num_queries: Callable[..., Any],
) -> None:
    ours = [make_return(), make_return(), make_return()]
    return_to(ours[0], Status.APPROVED)
    return_to(ours[1], Status.REJECTED)
    make_return(order=make_order(seller="S-B", buyer="B-2"))

    with django_assert_num_queries(1):
        counts = selectors.returns_count_by_status(seller_user(ours[0].seller_id))

    assert counts == dict.fromkeys(Status, 0) | {
        Status.REQUESTED: 1,
        Status.APPROVED: 1,
        Status.REJECTED: 1,
    }
    assert selectors.returns_count_by_status(keys.actors["agent"])[Status.REQUESTED] == 2


# --- List filters -----------------------------------------------------------------------------


def listed(keys: Keys, key: str, query: str) -> tuple[int, Any]:
    response = keys.client(key).get(f"/api/v1/returns?{query}")
    body = response.json()
    return response.status_code, [item["code"] for item in body["items"]] if response.status_code == 200 else body[
        "code"
    ]


def test_returns_are_found_by_order_external_id_and_number(
    make_return: Callable[..., Return], make_order: Callable[..., Order], keys: Keys
) -> None:
    order = make_order(number="1001-77")
    ret, _other = make_return(order=order), make_return()

    assert [
        listed(keys, "seller_a", f"order={order.external_id}"),
        listed(keys, "seller_a", "order_number=1001-77"),
        listed(keys, "agent", "order_number=1001-77&status=requested"),
        listed(keys, "agent", "order_number=1001-77&status=approved"),
        listed(keys, "seller_b", "order_number=1001-77"),
        listed(keys, "seller_a", "order_number=+1001-77+"),
    ] == [(200, [ret.code]), (200, [ret.code]), (200, [ret.code]), (200, []), (200, []), (200, [ret.code])]


def test_returns_are_found_by_the_buyers_email_in_any_case_by_platform_and_agents_only(
    make_return: Callable[..., Return], make_order: Callable[..., Order], keys: Keys
) -> None:
    ret = make_return(order=make_order(buyer="B-Mail"))
    make_return(order=make_order(buyer="B-Other"))

    assert [
        listed(keys, "agent", "email=+B-MAIL@Example.com+"),
        listed(keys, "platform", "email=b-mail@example.com&order_number=nope"),
        listed(keys, "seller_a", "email=b-mail@example.com"),
    ] == [(200, [ret.code]), (200, []), (403, "forbidden")]


def test_a_cursor_keeps_the_email_filter(
    make_order: Callable[..., Order], make_return: Callable[..., Return], keys: Keys
) -> None:
    order = make_order(buyer="B-Mail")
    returns = [make_return(order=order, line="L2"), make_return(order=order, line="L1")]

    first = keys.client("agent").get("/api/v1/returns?email=b-mail@example.com&limit=1").json()
    second = keys.client("agent").get(f"/api/v1/returns?email=b-mail@example.com&limit=1&cursor={first['next_cursor']}")

    assert [item["code"] for item in first["items"] + second.json()["items"]] == [ret.code for ret in reversed(returns)]


# The plan is the database's own: this runs on PostgreSQL too (make pytest-postgres).
@pytest.mark.database
@pytest.mark.parametrize(
    ("filters", "index"),
    [
        (selectors.ReturnFilters(email="B-1@example.com"), "buyer_email_lower"),
        (selectors.ReturnFilters(order_number="N-1"), "order_number"),
    ],
)
def test_the_new_filters_are_served_by_their_indexes(keys: Keys, filters: selectors.ReturnFilters, index: str) -> None:
    rows = selectors.returns_matching(actor=keys.actors["agent"], filters=filters)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # A table of a few rows is read whole whatever the indexes: ask for the plan an index allows.
            cursor.execute("SET LOCAL enable_seqscan = off")
        plan = rows.explain()

    assert index in plan


# --- The search boxes' code lookup ------------------------------------------------------------


def test_a_code_typed_any_way_finds_the_return(make_return: Callable[..., Return], keys: Keys) -> None:
    ret = make_return()
    typed = codes.display(ret.code).lower().replace("-", " ", 1).replace("0", "o")

    found = selectors.return_code_lookup(text=typed, actor=keys.actors["seller_a"])

    assert (found.found, found.code, found.suggestions) == (True, ret.code, [])


def test_a_typo_suggests_the_callers_codes_one_slip_away_and_counts_no_failure(
    make_return: Callable[..., Return], keys: Keys, django_assert_num_queries: Callable[..., Any]
) -> None:
    ret = make_return()

    with django_assert_num_queries(1):
        found = selectors.return_code_lookup(text=mistyped(ret.code), actor=keys.actors["seller_a"])
    elsewhere = selectors.return_code_lookup(text=mistyped(ret.code), actor=keys.actors["seller_b"])

    assert (found.code, found.suggestions, elsewhere.suggestions, RateCounter.objects.count()) == (
        None,
        [ret.code],
        [],
        0,
    )


def test_another_sellers_code_and_other_text_are_not_found(make_return: Callable[..., Return], keys: Keys) -> None:
    ret = make_return()

    answers = [
        selectors.return_code_lookup(text=ret.code, actor=keys.actors["seller_b"]),
        selectors.return_code_lookup(text="1001-77", actor=keys.actors["seller_a"]),
    ]

    assert [(a.found, a.suggestions, a.looks_like_a_code) for a in answers] == [(False, [], True), (False, [], False)]


def test_carriers_look_codes_up_only_through_the_verifier(keys: Keys) -> None:
    with pytest.raises(Forbidden):
        selectors.return_code_lookup(text="K7Q2XM4D9T306", actor=keys.actors["carrier"])
