"""Fifty counters hand over one parcel's code at once, through a served app on the SQLite file and
on PostgreSQL: one handover, 49 refusals saying the code was used, one event."""

from __future__ import annotations

import pytest

from returndesk.testing import at_once
from tests.served.harness import ServedApp, createkey
from tests.served.test_concurrency import import_order, return_body

pytestmark = pytest.mark.served

ADDRESS = {"name": "Kiosk", "lines": ["Hauptstr. 1"], "city": "Berlin", "postal_code": "10115", "country": "DE"}


def test_fifty_concurrent_handovers_of_one_code_hand_over_once(served: ServedApp) -> None:
    server, platform = served.server, served.platform_key
    carrier = createkey(server.env, "--role", "carrier", "--carrier", "post", "--name", "counters")
    point = server.post("/api/v1/dropoff-points", {"point_id": "P-1", "name": "Kiosk", "address": ADDRESS}, key=carrier)
    assert point.status == 201, point.body
    opened = server.post("/api/v1/returns", return_body(import_order(served)), key=platform)
    code = opened.json()["code"]
    assert server.post(f"/api/v1/returns/{code}/approve", key=platform).status == 200

    answers = at_once(50, lambda: server.post("/api/v1/dropoffs", {"code": code, "point_id": "P-1"}, key=carrier))

    assert sorted(answer.status for answer in answers) == [201] + [409] * 49, server.output()
    refusals = [answer.json() for answer in answers if answer.status == 409]
    assert {(body["code"], body["result"]) for body in refusals} == {("not_acceptable_at_counter", "used")}
    detail = server.get(f"/api/v1/returns/{code}", key=platform).json()
    assert detail["status"] == "in_transit"
    assert [event["action"] for event in detail["timeline"]] == ["request", "approve", "handover"]
    receipt = next(answer.json() for answer in answers if answer.status == 201)
    assert detail["dropoff"] == receipt
