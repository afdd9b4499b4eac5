"""Re-imports racing return openings on one order, with real threads on the test database.

Each thread gets its own connection and closes it when done; the test is transactional, so the
threads see each other's commits as the real server would. On PostgreSQL a service that locked
the seller or buyer before the order deadlocked here (``core.locks`` has the one order).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection

from returndesk.core.actors import Actor, ActorKind
from returndesk.marketplace.models import Order
from returndesk.marketplace.schemas import OrderIn
from returndesk.marketplace.services import order_import
from returndesk.policies.domain.reasons import Reason
from returndesk.returns.domain.requests import RequestedLine
from returndesk.returns.models import Return, ReturnLine
from returndesk.returns.services import return_open
from returndesk.scenarios.journeys import order_placed
from returndesk.scenarios.payloads import NOW, order_payload
from returndesk.testing import at_once

pytestmark = [pytest.mark.database, pytest.mark.django_db(transaction=True)]

PLATFORM = Actor(kind=ActorKind.PLATFORM, id="race")
LATER = NOW + timedelta(hours=1)
ROUNDS = 5


@pytest.fixture(autouse=True)
def _committing(db: None) -> None:
    if connection.vendor == "sqlite" and connection.is_in_memory_db():
        pytest.skip(
            "Django's in-memory SQLite test database cannot serve a second connection (shared-cache locks "
            "ignore the busy timeout); `make pytest-postgres` runs this on PostgreSQL and "
            "tests/served/test_import_races.py races a served app."
        )
    assert not connection.in_atomic_block


def _each_at_once(calls: list[Callable[[], str]]) -> list[str]:
    """Run every call in its own thread, released together; what each answered, sorted."""
    waiting = deque(calls)  # popleft is thread-safe

    def next_call() -> str:
        return waiting.popleft()()

    def close() -> None:
        # ``connection`` resolves to the calling thread's own connection only when called.
        connection.close()

    return sorted(at_once(len(calls), next_call, on_exit=close))


def test_reimports_beside_openings_of_one_order_all_go_through() -> None:
    for round_ in range(ROUNDS):
        external_id = f"O-RACE-{round_}"
        order_placed(external_id=external_id)
        data = OrderIn.model_validate(order_payload(external_id=external_id)).to_import()

        def reimport(data=data) -> str:
            _, created = order_import(data=data, now=LATER)
            return f"reimported, created={created}"

        def open_one(external_id=external_id) -> str:
            line = RequestedLine(line="L1", quantity=1, reason=Reason.DEFECTIVE)
            return_open(actor=PLATFORM, order_external_id=external_id, lines=[line], now=LATER)
            return "opened"

        answers = _each_at_once([reimport, reimport, open_one, open_one])

        assert answers == ["opened", "opened", "reimported, created=False", "reimported, created=False"]
        assert Return.objects.filter(order__external_id=external_id).count() == 2
        assert ReturnLine.objects.filter(return_request__order__external_id=external_id).count() == 2
    assert Order.objects.count() == ROUNDS
