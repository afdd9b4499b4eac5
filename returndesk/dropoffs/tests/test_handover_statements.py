"""What a handover costs the database, counted through the API with the key already
authenticated, BEGIN and COMMIT included. The budget (issue 7): at a registered point without
an anomaly at most 9, plus those of the Idempotency-Key's record. On both databases (the PostgreSQL
pass runs them too): PostgreSQL writes a keyed request's rows in one statement."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from returndesk.dropoffs.models import DropoffPoint
from returndesk.returns.models import Return
from returndesk.testing import NOW, Keys, frozen_clock

pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.database]

LATER = NOW + timedelta(hours=3)


def _counted(client: Any, body: dict[str, Any], **headers: str) -> list[str]:
    client.get("/api/v1/dropoff-points?limit=1")  # the key is authenticated (and cached) before counting
    with frozen_clock(LATER), CaptureQueriesContext(connection) as statements:
        response = client.post("/api/v1/dropoffs", body, content_type="application/json", headers=headers)
    assert response.status_code == 201, response.content
    return [statement["sql"].split(" ", 1)[0] for statement in statements.captured_queries]


def test_a_handover_at_a_point_costs_six_statements(
    carriers: Keys, point: DropoffPoint, make_approved: Callable[..., Return]
) -> None:
    ret = make_approved()

    kinds = _counted(carriers.client("post_a"), {"code": ret.code, "point_id": "P-1", "weight_g": 500})

    # The return locked with its lines and their weights, the point and the failure count, in one
    # statement; the return; its event; the receipt. The answer is rendered from those rows.
    assert kinds == ["BEGIN", "WITH", "UPDATE", "INSERT", "INSERT", "COMMIT"]


def test_a_handover_with_an_idempotency_key_costs_one_more_on_sqlite_and_two_fewer_on_postgresql(
    carriers: Keys, point: DropoffPoint, make_approved: Callable[..., Return]
) -> None:
    ret = make_approved()

    kinds = _counted(
        carriers.client("post_a"), {"code": ret.code, "point_id": "P-1", "weight_g": 500}, **{"Idempotency-Key": "k"}
    )

    # The record's insert after the handover, in the same transaction without a savepoint of its
    # own (core.transactions: any error rolls the whole of it back); not read first, a repeat
    # finding it there (core.idempotency, read_first=False). On PostgreSQL the return, its event,
    # the receipt and the record are written together, in one statement (core.sql.writes_queued).
    writes = ["WITH"] if connection.vendor == "postgresql" else ["UPDATE", "INSERT", "INSERT", "INSERT"]
    assert kinds == ["BEGIN", "WITH", *writes, "COMMIT"]
