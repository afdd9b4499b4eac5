"""Races through a served app, on the SQLite file ``returndesk serve`` uses and on PostgreSQL.

Django's in-memory test database shares one connection across threads and would hide exactly
these problems, so every request here goes through gunicorn's worker processes and threads.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from returndesk.scenarios.payloads import order_payload
from returndesk.testing import at_once
from tests.served.harness import Response, ServedApp

pytestmark = pytest.mark.served


def import_order(app: ServedApp, **overrides: Any) -> str:
    """Import a fresh order delivered yesterday (inside the return window) and return its external id."""
    external_id = f"O-{uuid.uuid4().hex[:12]}"
    payload = order_payload(external_id=external_id, delivered_at=datetime.now(UTC) - timedelta(days=1), **overrides)
    answer = app.server.post("/api/v1/orders", payload, key=app.platform_key)
    assert answer.status == 201, answer.body
    return external_id


def return_body(order: str, *, line: str = "L1", quantity: int = 1) -> dict[str, Any]:
    return {"order": order, "lines": [{"line": line, "quantity": quantity, "reason": "defective"}]}


def codes_of(answers: list[Response]) -> list[str]:
    return [answer.json()["code"] for answer in answers]


def test_twenty_concurrent_approvals_make_exactly_one_transition(served: ServedApp) -> None:
    server, key = served.server, served.platform_key
    opened = server.post("/api/v1/returns", return_body(import_order(served)), key=key)
    assert opened.status == 201, opened.body
    code = opened.json()["code"]

    answers = at_once(20, lambda: server.post(f"/api/v1/returns/{code}/approve", key=key))

    assert sorted(answer.status for answer in answers) == [200] + [409] * 19, server.output()
    assert codes_of([answer for answer in answers if answer.status == 409]) == ["invalid_transition"] * 19
    detail = server.get(f"/api/v1/returns/{code}", key=key).json()
    assert detail["status"] == "approved"
    assert [event["action"] for event in detail["timeline"]] == ["request", "approve"]


def test_two_concurrent_returns_for_the_last_unit_let_exactly_one_through(served: ServedApp) -> None:
    server, key = served.server, served.platform_key
    single_unit = [
        {
            "external_id": "L1",
            "sku": "SKU-1",
            "title": "Lamp",
            "quantity": 1,
            "unit_price": "20.00",
            "paid_amount": "20.00",
            "category": "home",
        }
    ]
    for _round in range(5):
        order = import_order(served, lines=single_unit, payments=[{"method": "card", "amount": "25.00"}])

        answers = at_once(2, lambda order=order: server.post("/api/v1/returns", return_body(order), key=key))

        assert sorted(answer.status for answer in answers) == [201, 422], server.output()
        refused = next(answer for answer in answers if answer.status == 422)
        # The loser finds the last unit held: every unit is in a return (issue 8's already_returned).
        assert refused.json()["code"] == "already_returned"
        assert refused.headers["content-type"] == "application/problem+json"


def test_concurrent_repeats_with_one_idempotency_key_create_one_return(served: ServedApp) -> None:
    server, key = served.server, served.platform_key
    order = import_order(served)
    headers = {"Idempotency-Key": f"open-{order}"}

    answers = at_once(8, lambda: server.post("/api/v1/returns", return_body(order), key=key, headers=headers))

    assert [answer.status for answer in answers] == [201] * 8, server.output()
    assert len({answer.body for answer in answers}) == 1
    assert sorted(answer.headers.get("idempotent-replayed", "") for answer in answers) == [""] + ["true"] * 7
    listed = server.get("/api/v1/returns?limit=100", key=key).json()["items"]
    assert [item["code"] for item in listed if item["order"] == order] == [answers[0].json()["code"]]
