"""Concurrent refunds through a served app on the SQLite file ``returndesk serve`` uses: the caps
and the request keys hold whatever arrives at once. One server runs the four races in turn (a
server start costs more than a race); on PostgreSQL the same races run against the service, with
real row locks, in ``returndesk/refunds/tests/test_refund_races_db.py`` (``make pytest-postgres``)."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from decimal import Decimal
from typing import Any

import pytest

from returndesk.scenarios.payloads import line_payload, order_payload
from returndesk.testing import at_once
from tests.served.harness import ServedApp, StartServer, createkey

pytestmark = pytest.mark.served

# Manual payments wait for the seller's confirmation: the return stays refunding, open to top-ups.
MANUAL = [{"method": "bank_transfer", "gateway": "manual", "amount": "65.00"}]


class Scene:
    def __init__(self, served: ServedApp) -> None:
        self.server, self.platform = served.server, served.platform_key
        self.seller = ""

    def order(self, **overrides: Any) -> str:
        external_id = f"O-{uuid.uuid4().hex[:12]}"
        payload = order_payload(
            external_id=external_id,
            delivered_at=datetime.now(UTC) - timedelta(days=1),
            **({"payments": MANUAL} | overrides),
        )
        answer = self.server.post("/api/v1/orders", payload, key=self.platform)
        assert answer.status == 201, answer.body
        if not self.seller:
            self.seller = createkey(self.server.env, "--role", "seller", "--seller", "S-A", "--name", "races")
        return external_id

    def inspected(self, order: str, line: str = "L1") -> str:
        """A return of one unit of ``line``, approved, received and inspected (accepted)."""
        body = {"order": order, "lines": [{"line": line, "quantity": 1, "reason": "defective"}]}
        opened = self.server.post("/api/v1/returns", body, key=self.platform)
        assert opened.status == 201, opened.body
        code = opened.json()["code"]
        inspection = {"lines": [{"line": line, "outcome": "accepted", "condition": "as_new"}]}
        for action, key, action_body in (
            ("approve", self.platform, None),
            ("receive", self.seller, None),
            ("inspect", self.seller, inspection),
        ):
            answer = self.server.post(f"/api/v1/returns/{code}/{action}", action_body, key=key)
            assert answer.status == 200, answer.body
        return code

    def refund(self, code: str, key: str, body: dict[str, Any] | None = None) -> Any:
        return self.server.post(
            f"/api/v1/returns/{code}/refund", body or {}, key=self.seller, headers={"Idempotency-Key": key}
        )

    def detail(self, code: str) -> dict[str, Any]:
        answer: dict[str, Any] = self.server.get(f"/api/v1/returns/{code}", key=self.platform).json()
        return answer


@pytest.fixture
def served_file(start_server: StartServer) -> ServedApp:
    """A server on the embedded SQLite file and a platform key."""
    server = start_server()
    return ServedApp(server=server, platform_key=createkey(server.env, "--role", "platform", "--name", "tests"))


def test_concurrent_refunds_keep_every_cap_and_key(served_file: ServedApp) -> None:
    scene = Scene(served_file)
    server = scene.server

    # 20 default refunds, distinct keys: one pays the default (18.00 + 1.50 of shipping).
    code = scene.inspected(scene.order())
    answers = at_once(20, lambda: scene.refund(code, f"d-{uuid.uuid4()}"))
    assert sorted(answer.status for answer in answers) == [200] + [409] * 19, server.output()
    detail = scene.detail(code)
    assert (detail["refunded_total"], len(detail["refunds"])) == ("19.50", 1)

    # 20 of a tenth of the line's 18.00 each: exactly ten fit.
    code = scene.inspected(scene.order())
    tenth = {"lines": [{"line": "L1", "amount": "1.80"}]}
    answers = at_once(20, lambda: scene.refund(code, f"t-{uuid.uuid4()}", tenth))
    assert sorted(answer.status for answer in answers) == [200] * 10 + [409] * 10, server.output()
    assert {answer.json()["code"] for answer in answers if answer.status == 409} == {"exceeds_refundable"}
    detail = scene.detail(code)
    assert (detail["refunded_total"], detail["lines"][0]["refunded"], len(detail["refunds"])) == ("18.00", "18.00", 10)

    # 20 with one key: one refund, and every answer is the same.
    code = scene.inspected(scene.order())
    answers = at_once(20, lambda: scene.refund(code, "same-key"))
    assert [answer.status for answer in answers] == [200] * 20, server.output()
    assert len({answer.body for answer in answers}) == 1
    assert len(scene.detail(code)["refunds"]) == 1

    # Three returns of one order (three units of a line paid 30.00, shipping 5.00), refunded at once
    # by default and by every amount their caps allow: the line's and the shipping's caps hold.
    order = scene.order(
        lines=[line_payload("L1", quantity=3, unit_price="10.00")],
        payments=[{"method": "bank_transfer", "gateway": "manual", "amount": "35.00"}],
    )
    codes = [scene.inspected(order) for _ in range(3)]
    bodies = [{}, {"lines": [{"line": "L1", "amount": "10.00"}], "shipping_amount": "5.00"}]
    answers = at_once(
        18, lambda: scene.refund(codes[hash(uuid.uuid4()) % 3], f"o-{uuid.uuid4()}", bodies[hash(uuid.uuid4()) % 2])
    )
    assert {answer.status for answer in answers} <= {200, 409}, server.output()
    totals = [Decimal(scene.detail(code)["refunded_total"]) for code in codes]
    lines = [Decimal(scene.detail(code)["lines"][0]["refunded"]) for code in codes]
    assert all(line <= Decimal("10.00") for line in lines)
    assert sum(totals) - sum(lines) <= Decimal("5.00")
    assert sum(totals) <= Decimal("35.00")
