"""The bench's refund target: measured after receive with its bar against return creation, its
seeding (the inspection it sends) accepted by the API, its wrk script asking for the route with
an Idempotency-Key and recognising the answer the API gives to a seller's default refund, and the
server it measures paying back through the fake gateway."""

from __future__ import annotations

import json
import re
from pathlib import Path

from bench import app, report
from bench.targets import TARGETS, Bar
from returndesk.testing import NOW, frozen_clock

LUA = Path(app.ROOT) / "bench" / "lua"


def test_refund_is_measured_after_receive_with_its_bar() -> None:
    names = [target.name for target in TARGETS]
    (refund,) = [target for target in TARGETS if target.name == "refund"]

    assert names.index("receive") + 1 == names.index("refund") < names.index("pgbench")
    assert refund.bar == Bar(of="create", at_least=0.3, subject="refund issuance", baseline="return creation")
    assert ("refund", "create") in report.RATIOS
    assert ("refund", "create") in report.SERIES_RATIOS


def test_the_server_pays_back_through_the_fake_gateway() -> None:
    env = app.app_env("postgres://bench@127.0.0.1/x", "")

    assert env["RETURNDESK_DEFAULT_GATEWAY"] == "fake"
    assert json.loads(env["RETURNDESK_FAKE_GATEWAY"]) == {"fail_rate": 0, "delay_seconds": 0}


def _expected(lua: str) -> re.Pattern[str]:
    """The body pattern of the script's is_expected, from Lua's pattern syntax to Python's."""
    (pattern,) = re.findall(r"string\.find\(body, '([^']+)'\)", (LUA / f"{lua}.lua").read_text())
    return re.compile(pattern.replace("%s", r"\s"))


def test_the_script_refunds_an_inspected_return_as_its_seeding_leaves_it(keys) -> None:
    keys.make("bench_seller", role="seller", seller=app.seller_id(0))
    platform, seller = keys.client("platform"), keys.client("bench_seller")
    with frozen_clock(NOW):
        imported = platform.post("/api/v1/orders", app.order_body(0, NOW), content_type="application/json")
        code = platform.post("/api/v1/returns", app.return_body(0, "L1"), content_type="application/json").json()[
            "code"
        ]
        steps = [
            platform.post(f"/api/v1/returns/{code}/approve", {}, content_type="application/json"),
            seller.post(f"/api/v1/returns/{code}/receive", {}, content_type="application/json"),
            seller.post(f"/api/v1/returns/{code}/inspect", app.inspect_body("L1"), content_type="application/json"),
        ]
        refunded = seller.post(
            f"/api/v1/returns/{code}/refund", {}, content_type="application/json", headers={"Idempotency-Key": "k-1"}
        )
    script = (LUA / "refund.lua").read_text()

    assert [imported.status_code, *(step.status_code for step in steps)] == [201, 200, 200, 200]
    assert steps[-1].json()["status"] == "inspected"
    assert refunded.status_code == 200
    assert '"/api/v1/returns/" .. code .. "/refund"' in script
    assert '["Idempotency-Key"] = "refund-" .. code' in script
    assert _expected("refund").search(refunded.content.decode())
    assert [refund["kind"] for refund in refunded.json()["refunds"]] == ["refund"]
