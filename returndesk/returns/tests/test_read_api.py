"""Reading returns: one by code, and the newest-first list with filters and cursor pages."""

from __future__ import annotations

import base64
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from returndesk.accounts.selectors import apikey_cache_clear
from returndesk.returns import services
from returndesk.returns.models import Return, ReturnEvent
from returndesk.testing import NOW, Keys, extension_queries, iso

# Constraints, locking, raw SQL and query plans: these also run on PostgreSQL (make pytest-postgres).
pytestmark = pytest.mark.database

HOUR = timedelta(hours=1)


def codes_of(response: Any) -> list[str]:
    assert response.status_code == 200
    return [item["code"] for item in response.json()["items"]]


def cursor_of(text: str) -> str:
    return base64.urlsafe_b64encode(text.encode()).decode()


# --- One return --------------------------------------------------------------------------------


def test_get_return_answers_the_return_with_lines_timeline_and_next_deadline(make_return, keys):
    ret = make_return(quantity=2)
    services.return_approve(code=ret.code, actor=keys.actors["seller_a"], now=NOW + HOUR)
    request_event, approve_event = ReturnEvent.objects.filter(return_request=ret).order_by("id")

    response = keys.client("agent").get(f"/api/v1/returns/{ret.code}")

    assert (response.status_code, response["Content-Type"]) == (200, "application/json")
    ship_by = iso(NOW + HOUR + timedelta(days=10))
    assert response.json() == {
        "code": ret.code,
        "code_display": ret.code_display,
        "status": "approved",
        "resolution": "none",
        "order": ret.order.external_id,
        "order_number": ret.order.number,
        "currency": "EUR",
        "seller": {"external_id": "S-A", "name": "Seller S-A"},
        "buyer": "B-1",
        "lines": [
            {
                "line": "L1",
                "sku": "SKU-1",
                "gtin": None,
                "title": "Lamp",
                "quantity": 2,
                "reason": "defective",
                "note": "",
                "outcome": "pending",
                "condition": None,
                "paid_share": "36.00",
                "exchange_variant_id": None,
                "refunded": "0.00",
            }
        ],
        "anomalies": [],
        "ship_by": ship_by,
        "tracking_number": None,
        "delivered_to_seller_at": None,
        "due_at": ship_by,
        "due_action": "expire",
        "next_deadline": {"at": ship_by, "action": "expire"},
        "policy_version": 1,
        "preferred_resolution": "refund",
        "created_at": iso(NOW),
        "updated_at": iso(NOW + HOUR),
        "timeline": [
            {
                "id": request_event.pk,
                "at": iso(NOW),
                "actor": {"kind": "platform", "id": keys.actors["platform"].id, "on_behalf_of": "B-1"},
                "action": "request",
                "from_status": None,
                "to_status": "requested",
                "reason": "",
                "data": {"lines": [{"line": "L1", "quantity": 2, "reason": "defective"}]},
            },
            {
                "id": approve_event.pk,
                "at": iso(NOW + HOUR),
                "actor": {"kind": "seller_key", "id": keys.actors["seller_a"].id, "on_behalf_of": None},
                "action": "approve",
                "from_status": "requested",
                "to_status": "approved",
                "reason": "",
                "data": {},
            },
        ],
    }


def test_a_return_without_a_deadline_has_next_deadline_null(make_return, keys):
    ret = make_return()
    services.return_cancel(code=ret.code, actor=keys.actors["platform"], now=NOW + HOUR)

    body = keys.client("seller_a").get(f"/api/v1/returns/{ret.code}").json()

    assert (body["status"], body["due_at"], body["due_action"], body["next_deadline"]) == (
        "cancelled",
        None,
        None,
        None,
    )


@pytest.mark.parametrize("key", ["platform", "agent", "seller_a"])
def test_platform_agents_and_the_seller_read_a_return(make_return, keys, key):
    ret = make_return()

    response = keys.client(key).get(f"/api/v1/returns/{ret.code}")

    assert (response.status_code, response.json()["code"]) == (200, ret.code)


@pytest.mark.parametrize(
    ("key", "status", "code"),
    [
        ("seller_b", 404, "not_found"),
        ("carrier", 403, "forbidden"),
        (None, 401, "unauthenticated"),
    ],
)
def test_other_callers_may_not_read_a_return(make_return, keys, key, status, code):
    ret = make_return()

    response = keys.client(key).get(f"/api/v1/returns/{ret.code}")

    assert (response.status_code, response["Content-Type"], response.json()["code"]) == (
        status,
        "application/problem+json",
        code,
    )


def test_a_missing_return_answers_like_another_sellers(make_return, keys):
    ret = make_return()

    missing = keys.client("seller_b").get("/api/v1/returns/K7Q2XM4D9T306")
    hidden = keys.client("seller_b").get(f"/api/v1/returns/{ret.code}")

    assert (missing.status_code, missing.json()) == (hidden.status_code, hidden.json())


def test_get_return_accepts_the_code_as_typed(make_return, keys):
    ret = make_return()

    response = keys.client("platform").get(f"/api/v1/returns/{ret.code_display.lower()}")

    assert (response.status_code, response.json()["code"]) == (200, ret.code)


# --- The list ----------------------------------------------------------------------------------


@pytest.fixture
def four_returns(make_order, make_return, keys) -> list[Return]:
    """Created an hour apart: S-A/B-1 requested, S-A/B-2 approved, S-B/B-1 requested, S-B/B-2 cancelled."""
    first = make_return(order=make_order(seller="S-A", buyer="B-1"), now=NOW)
    second = make_return(order=make_order(seller="S-A", buyer="B-2"), now=NOW + HOUR)
    services.return_approve(code=second.code, actor=keys.actors["seller_a"], now=NOW + 5 * HOUR)
    third = make_return(order=make_order(seller="S-B", buyer="B-1"), now=NOW + 2 * HOUR)
    fourth = make_return(order=make_order(seller="S-B", buyer="B-2"), now=NOW + 3 * HOUR)
    services.return_cancel(code=fourth.code, actor=keys.actors["platform"], now=NOW + 5 * HOUR)
    return [first, second, third, fourth]


def test_the_list_is_newest_first_with_the_return_summary(four_returns, keys):
    response = keys.client("platform").get("/api/v1/returns")

    body = response.json()
    assert codes_of(response) == [ret.code for ret in reversed(four_returns)]
    assert body["next_cursor"] is None
    assert body["items"][0] == {
        "code": four_returns[3].code,
        "code_display": four_returns[3].code_display,
        "status": "cancelled",
        "resolution": "none",
        "order": four_returns[3].order.external_id,
        "order_number": four_returns[3].order.number,
        "currency": "EUR",
        "seller": {"external_id": "S-B", "name": "Seller S-B"},
        "buyer": "B-2",
        "lines": [
            {
                "line": "L1",
                "sku": "SKU-1",
                "gtin": None,
                "title": "Lamp",
                "quantity": 1,
                "reason": "defective",
                "note": "",
                "outcome": "pending",
                "condition": None,
                "paid_share": "18.00",
                "exchange_variant_id": None,
                "refunded": "0.00",
            }
        ],
        "anomalies": [],
        "ship_by": None,
        "tracking_number": None,
        "delivered_to_seller_at": None,
        "due_at": None,
        "due_action": None,
        "next_deadline": None,
        "policy_version": 1,
        "preferred_resolution": "refund",
        "created_at": iso(NOW + 3 * HOUR),
        "updated_at": iso(NOW + 5 * HOUR),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"status": "requested"}, [2, 0]),
        ({"status": "approved", "seller": "S-A"}, [1]),
        ({"seller": "S-B"}, [3, 2]),
        ({"buyer": "B-2"}, [3, 1]),
        ({"created_after": iso(NOW + HOUR)}, [3, 2]),
        ({"created_before": iso(NOW + 2 * HOUR)}, [1, 0]),
        ({"created_after": iso(NOW), "created_before": iso(NOW + 3 * HOUR)}, [2, 1]),
        ({"seller": "S-C"}, []),
    ],
    ids=[
        "status",
        "status-and-seller",
        "seller",
        "buyer",
        "created_after",
        "created_before",
        "created-between",
        "no-match",
    ],
)
def test_the_list_filters(four_returns, keys, query, expected):
    response = keys.client("platform").get("/api/v1/returns", query)

    assert codes_of(response) == [four_returns[index].code for index in expected]


@pytest.mark.parametrize(
    ("key", "query", "expected"),
    [
        ("seller_a", {}, [1, 0]),
        ("seller_b", {}, [3, 2]),
        ("seller_a", {"seller": "S-B"}, []),
        ("seller_a", {"buyer": "B-2"}, [1]),
        ("agent", {}, [3, 2, 1, 0]),
    ],
)
def test_the_list_is_scoped_to_the_caller(four_returns, keys, key, query, expected):
    response = keys.client(key).get("/api/v1/returns", query)

    assert codes_of(response) == [four_returns[index].code for index in expected]


def test_a_carrier_may_not_list_returns(four_returns, keys):
    response = keys.client("carrier").get("/api/v1/returns")

    assert (response.status_code, response.json()["code"]) == (403, "forbidden")


@pytest.mark.parametrize(
    ("query", "loc"),
    [
        ({"limit": "101"}, ["query", "limit"]),
        ({"limit": "0"}, ["query", "limit"]),
        ({"status": "lost"}, ["query", "status"]),
        ({"created_after": "2026-03-10T12:00:00"}, ["query", "created_after"]),
    ],
)
def test_invalid_list_parameters_are_422(keys, query, loc):
    response = keys.client("platform").get("/api/v1/returns", query)

    assert (response.status_code, response.json()["code"]) == (422, "validation_error")
    assert [error["loc"] for error in response.json()["errors"]] == [loc]


def test_the_page_size_is_50_by_default_and_100_at_most(make_return, keys):
    created = [make_return(now=NOW + index * timedelta(minutes=1)) for index in range(101)]
    newest_first = [ret.code for ret in reversed(created)]

    default = keys.client("platform").get("/api/v1/returns")
    largest = keys.client("platform").get("/api/v1/returns", {"limit": 100})
    rest = keys.client("platform").get("/api/v1/returns", {"limit": 100, "cursor": largest.json()["next_cursor"]})

    assert codes_of(default) == newest_first[:50]
    assert codes_of(largest) == newest_first[:100]
    assert (codes_of(rest), rest.json()["next_cursor"]) == (newest_first[100:], None)


def walk(keys: Keys, key: str, limit: int) -> tuple[list[str], int]:
    """Every code the list answers, following next_cursor; and how many pages it took."""
    seen: list[str] = []
    pages = 0
    cursor: str | None = ""
    while cursor is not None:
        response = keys.client(key).get("/api/v1/returns", {"limit": limit, "cursor": cursor})
        seen += codes_of(response)
        cursor = response.json()["next_cursor"]
        pages += 1
    return seen, pages


def test_cursor_pages_walk_every_return_once_across_equal_timestamps(make_return, keys):
    same_time = [make_return(now=NOW) for _ in range(5)]
    later = [make_return(now=NOW + HOUR) for _ in range(2)]
    expected = [ret.code for ret in reversed(later)] + [ret.code for ret in reversed(same_time)]

    seen, pages = walk(keys, "platform", limit=2)

    assert (seen, pages) == (expected, 4)


def test_the_last_full_page_has_no_next_cursor(make_return, keys):
    for _ in range(4):
        make_return(now=NOW)

    seen, pages = walk(keys, "platform", limit=2)

    assert (len(seen), len(set(seen)), pages) == (4, 4, 2)


@pytest.mark.parametrize(
    "cursor",
    [
        "not a cursor!",
        cursor_of("yesterday|1"),
        cursor_of("2026-03-10T12:00:00+00:00|one"),
        cursor_of("2026-03-10T12:00:00+00:00"),
        "////",
    ],
)
def test_an_invalid_cursor_is_422(make_return, keys, cursor):
    make_return()

    response = keys.client("platform").get("/api/v1/returns", {"cursor": cursor})

    assert (response.status_code, response["Content-Type"]) == (422, "application/problem+json")
    assert response.json() == {
        "type": "urn:returndesk:problem:validation_error",
        "title": "Some fields are invalid",
        "status": 422,
        "detail": "The cursor is not one this API issued.",
        "code": "validation_error",
        "errors": [{"loc": ["query", "cursor"], "msg": "invalid cursor", "type": "invalid_cursor"}],
    }


def test_a_cursor_with_a_naive_timestamp_is_422(make_return, keys):
    make_return()

    response = keys.client("platform").get("/api/v1/returns", {"cursor": cursor_of("2026-03-10T12:00:00|1")})

    assert (response.status_code, response.json()["code"]) == (422, "validation_error")


def test_a_cursor_with_an_id_beyond_bigint_is_422(make_return, keys):
    make_return()

    response = keys.client("platform").get(
        "/api/v1/returns", {"cursor": cursor_of(f"2026-03-10T12:00:00+00:00|{2**63}")}
    )

    assert (response.status_code, response.json()["code"]) == (422, "validation_error")


# --- Query counts ------------------------------------------------------------------------------


def make_returns(make_return: Callable[..., Return], count: int) -> None:
    for index in range(count):
        make_return(now=NOW + index * timedelta(minutes=1))


@pytest.mark.parametrize("count", [2, 20])
def test_a_page_costs_four_queries_whatever_its_size(make_return, keys, django_assert_num_queries, count):
    make_returns(make_return, count)
    client = keys.client("platform")
    client.get("/api/v1/returns")
    apikey_cache_clear()

    # The API key, the page of returns (with order, seller and buyer joined), their lines, their anomalies.
    with django_assert_num_queries(4 + extension_queries()):
        response = client.get("/api/v1/returns")

    assert len(codes_of(response)) == count


@pytest.mark.parametrize("count", [2, 20])
def test_a_sellers_page_costs_the_same(make_return, keys, django_assert_num_queries, count):
    make_returns(make_return, count)
    client = keys.client("seller_a")
    client.get("/api/v1/returns")
    apikey_cache_clear()

    with django_assert_num_queries(4 + extension_queries()):
        response = client.get("/api/v1/returns", {"limit": 20, "status": "requested"})

    assert len(codes_of(response)) == count


def test_a_cached_key_costs_no_query(make_return, keys, django_assert_num_queries):
    make_returns(make_return, 2)
    client = keys.client("platform")
    client.get("/api/v1/returns")

    with django_assert_num_queries(3 + extension_queries()):
        client.get("/api/v1/returns")


def test_one_return_costs_five_queries(make_return, keys, django_assert_num_queries):
    ret = make_return()
    services.return_approve(code=ret.code, actor=keys.actors["seller_a"], now=NOW + HOUR)
    client = keys.client("platform")
    client.get(f"/api/v1/returns/{ret.code}")
    apikey_cache_clear()

    # The API key, the return (with order, seller and buyer joined), its lines, its anomalies, its events.
    with django_assert_num_queries(5 + extension_queries()):
        response = client.get(f"/api/v1/returns/{ret.code}")

    assert len(response.json()["timeline"]) == 2
