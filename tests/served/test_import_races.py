"""Re-imports racing return openings on one order through a served app on PostgreSQL.

A re-import that locked the seller and buyer before the order deadlocked against an opening that
locked the order before inserting a return referring to them: PostgreSQL broke the circle by
failing one of them, a 500. Both now lock in ``core.locks``' order.
"""

from __future__ import annotations

import uuid
from collections import deque
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from returndesk.scenarios.payloads import order_payload, return_payload
from returndesk.testing import at_once
from tests.served.harness import ServedApp

pytestmark = pytest.mark.served

ROUNDS = 5


def _each_at_once(calls: list[Callable[[], tuple[str, int]]]) -> list[tuple[str, int]]:
    """Make every call from its own thread, released together; their answers, sorted."""
    waiting = deque(calls)

    def next_call() -> tuple[str, int]:
        return waiting.popleft()()  # popleft is thread-safe

    return sorted(at_once(len(calls), next_call))


@pytest.mark.parametrize("backend", ["postgres"], indirect=True)
def test_two_reimports_beside_two_openings_of_one_order_answer_200_and_201(served: ServedApp) -> None:
    server, key = served.server, served.platform_key
    for _round in range(ROUNDS):
        order = f"O-{uuid.uuid4().hex[:12]}"
        # Delivered yesterday by the wall clock: the served app opens returns at the real now.
        payload = order_payload(external_id=order, delivered_at=datetime.now(UTC) - timedelta(days=1))
        created = server.post("/api/v1/orders", payload, key=key)
        assert created.status == 201, created.body

        def reimport(payload: dict[str, object] = payload) -> tuple[str, int]:
            return "reimport", server.post("/api/v1/orders", payload, key=key).status

        def open_one(order: str = order) -> tuple[str, int]:
            return "open", server.post("/api/v1/returns", return_payload(order, ("L1", 1, "defective")), key=key).status

        answers = _each_at_once([reimport, reimport, open_one, open_one])

        assert answers == [("open", 201), ("open", 201), ("reimport", 200), ("reimport", 200)], server.output()
        listed = server.get("/api/v1/returns?limit=100", key=key).json()["items"]
        assert len([item for item in listed if item["order"] == order]) == 2
