"""What the tracking number adds to a handover's statements, BEGIN and COMMIT included: its lock
(PostgreSQL only: SQLite's writers queue whole) and one look for another return with the number
and for events waiting for it. Within the issue's 9."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from returndesk.dropoffs.models import DropoffPoint
from returndesk.returns.models import Return
from returndesk.testing import NOW, Keys, frozen_clock

pytestmark = [pytest.mark.database, pytest.mark.django_db(transaction=True)]


def test_a_handover_with_a_tracking_number_costs_two_more_on_postgresql_one_on_sqlite(
    carriers: Keys, point: DropoffPoint, make_approved: Callable[..., Return]
) -> None:
    ret = make_approved()
    client = carriers.client("post_a")
    client.get("/api/v1/dropoff-points?limit=1")  # the key is authenticated (and cached) before counting
    body = {"code": ret.code, "point_id": "P-1", "weight_g": 500, "tracking_number": "RR123456785GB"}

    with frozen_clock(NOW + timedelta(hours=3)), CaptureQueriesContext(connection) as statements:
        response = client.post("/api/v1/dropoffs", body, content_type="application/json")

    assert response.status_code == 201
    number_lock = ["SELECT"] if connection.vendor == "postgresql" else []
    kinds = [statement["sql"].split(" ", 1)[0].lstrip("(") for statement in statements.captured_queries]
    assert kinds == ["BEGIN", *number_lock, "WITH", "SELECT", "UPDATE", "INSERT", "INSERT", "COMMIT"]
