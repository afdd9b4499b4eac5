"""What a write costs the database: statements per return creation and per approve, counted
through the API with a key already authenticated, BEGIN and COMMIT included (SQLite sends them as
statements). The contract's budget: creation at most 10, an approve at most 8, each at most 4
more with an Idempotency-Key."""

from __future__ import annotations

from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from returndesk.policies.domain.policy import AutoApprove, ReturnPolicy, policy_to_json
from returndesk.policies.domain.reasons import Reason
from returndesk.policies.models import PolicyVersion
from returndesk.policies.selectors import policy_version_get
from returndesk.returns.models import Return
from returndesk.testing import NOW, Keys, frozen_clock

pytestmark = pytest.mark.django_db(transaction=True)

OPEN_BODY = {"lines": [{"line": "L1", "quantity": 1, "reason": "defective"}]}


def _counted(client: Any, path: str, body: dict[str, Any], **headers: str) -> tuple[int, list[str]]:
    client.get("/api/v1/returns?limit=1")  # the key is authenticated (and cached) before counting
    with frozen_clock(NOW), CaptureQueriesContext(connection) as statements:
        response = client.post(path, body, content_type="application/json", headers=headers)
    assert response.status_code in (200, 201), response.content
    return response.status_code, [statement["sql"].split(" ", 1)[0] for statement in statements.captured_queries]


def test_opening_a_return_costs_seven_statements(keys: Keys, make_order) -> None:
    order = make_order()

    status, kinds = _counted(keys.client("platform"), "/api/v1/returns", {"order": order.external_id, **OPEN_BODY})

    assert status == 201
    # Lock the order with its seller and buyer; the order's lines with the units already held, its
    # free returns and the number of the seller's policy version in force (its policy is known by
    # number); the return, its lines, its first event. The answer is rendered from those rows.
    assert kinds == ["BEGIN", "SELECT", "SELECT", "INSERT", "INSERT", "INSERT", "COMMIT"]


def test_an_auto_approved_opening_costs_no_statement_more(keys: Keys, make_order) -> None:
    order = make_order()
    version = PolicyVersion.objects.create(
        seller=order.seller,
        document=policy_to_json(ReturnPolicy(auto_approve=AutoApprove(reasons=(Reason.DEFECTIVE,)))),
        effective_at=NOW,
        actor_kind="platform",
    )
    policy_version_get(version=version.version)  # read once by this process, as a served one has

    status, kinds = _counted(keys.client("platform"), "/api/v1/returns", {"order": order.external_id, **OPEN_BODY})

    assert (status, Return.objects.get().status) == (201, "approved")
    # The approval is in the return's row; its event goes in with the request's, in one INSERT.
    assert kinds == ["BEGIN", "SELECT", "SELECT", "INSERT", "INSERT", "INSERT", "COMMIT"]


def test_opening_a_return_with_an_idempotency_key_costs_four_more(keys: Keys, make_order) -> None:
    order = make_order()

    _, kinds = _counted(
        keys.client("platform"),
        "/api/v1/returns",
        {"order": order.external_id, **OPEN_BODY},
        **{"Idempotency-Key": "k"},
    )

    assert len(kinds) == 11
    assert (kinds[:3], kinds[-2:]) == (["BEGIN", "SELECT", "SAVEPOINT"], ["INSERT", "COMMIT"])


def test_approving_costs_seven_statements(keys: Keys, make_return) -> None:
    ret: Return = make_return()

    status, kinds = _counted(keys.client("seller_a"), f"/api/v1/returns/{ret.code}/approve", {})

    assert status == 200
    # Lock the return with its order, seller and buyer; its lines; write; then the answer's
    # anomalies and timeline, in one statement (``selectors.return_answer_load``).
    assert kinds == ["BEGIN", "SELECT", "SELECT", "UPDATE", "INSERT", "COMMIT", "SELECT"]


def test_approving_with_a_key_costs_four_more_on_sqlite_three_on_postgresql(keys: Keys, make_return) -> None:
    ret: Return = make_return()

    _, kinds = _counted(keys.client("seller_a"), f"/api/v1/returns/{ret.code}/approve", {}, **{"Idempotency-Key": "k"})

    # On PostgreSQL the return's update and its event go in one statement, written before the
    # savepoint's release (core.sql.writes_queued).
    assert len(kinds) == (10 if connection.vendor == "postgresql" else 11)
    assert (kinds[:3], kinds[-2:]) == (["BEGIN", "SELECT", "SAVEPOINT"], ["INSERT", "COMMIT"])
