"""The bench's order and returnable targets: measured side by side with the bar between them, their
wrk scripts asking for the two routes and recognising the answers the API gives to the bench's
seeded orders, and a series kept before they existed still rendering."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from bench import app, report
from bench.common import Settings
from bench.targets import TARGETS, Bar
from returndesk.testing import NOW, frozen_clock

LUA = Path(app.ROOT) / "bench" / "lua"


def test_returnable_is_measured_beside_the_order_with_its_bar() -> None:
    names = [target.name for target in TARGETS]
    (returnable,) = [target for target in TARGETS if target.name == "returnable"]

    assert names.index("order") + 1 == names.index("returnable") < names.index("create")
    assert returnable.bar == Bar(of="order", at_least=0.5, subject="returnable", baseline="GET /orders/{external_id}")
    assert ("returnable", "order") in report.RATIOS


def expected_pattern(lua: str) -> re.Pattern[str]:
    """The body pattern of the script's is_expected, from Lua's pattern syntax to Python's."""
    (pattern,) = re.findall(r"string\.find\(body, '([^']+)'\)", (LUA / f"{lua}.lua").read_text())
    return re.compile(pattern.replace("%s", r"\s").replace("%[", r"\["))


@pytest.mark.parametrize(
    ("lua", "suffix", "lua_path"),
    [
        ("order", "", '"/api/v1/orders/" .. items[position])'),
        ("returnable", "/returnable", '"/api/v1/orders/" .. items[position] .. "/returnable")'),
    ],
)
def test_the_scripts_ask_for_the_route_and_recognise_its_answer(keys, lua: str, suffix: str, lua_path: str) -> None:
    client = keys.client("platform")
    with frozen_clock(NOW):
        imported = client.post("/api/v1/orders", app.order_body(0, NOW), content_type="application/json")
        answer = client.get(f"/api/v1/orders/{app.order_id(0)}{suffix}")

    assert (imported.status_code, answer.status_code) == (201, 200)
    assert lua_path in (LUA / f"{lua}.lua").read_text()
    assert expected_pattern(lua).search(answer.content.decode())


def test_a_series_kept_before_the_targets_existed_still_renders() -> None:
    older = [target.name for target in TARGETS if target.name not in ("order", "returnable")]
    kept = {
        "when": "2026-12-01 10:00",
        "revision": "commit abc1234",
        "rps": dict.fromkeys(older, 100.0),
        "other_cpu": 0,
    }

    section = report.Report(settings=Settings.from_environment({}), targets=TARGETS).series_section("S", [kept])

    row = next(line for line in section.splitlines() if line.startswith("| 1 |"))
    assert row.split(" | ")[5:7] == ["-", "-"]
    assert "| returnable/order |" in section
