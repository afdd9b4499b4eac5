"""schemathesis against a served demo's OpenAPI: every check, 25 examples an operation, no failure.

Run with the demo platform key and a demo seller key, each through the ``schemathesis`` command
(stateful testing off, a fixed seed, so that a failure repeats), within one time budget. A known
exception switches one check off for one operation, with its reason, in ``KNOWN_EXCEPTIONS``;
one more, for every operation, keeps NUL characters out of generated text (see the command).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from returndesk.testing import processes
from tests.browser.harness import Demo
from tests.served.harness import server_env, spawn

pytestmark = pytest.mark.served

SCHEMATHESIS = str(Path(sys.executable).with_name("schemathesis"))
# A guard against a hung run, not the budget: the 60 s of `make test` is met on a quiet
# machine (about 25 s, see `pytest --durations`), and a timed assertion would fail on a busy one.
HANG_GUARD_SECONDS = 300.0
EXAMPLES_PER_OPERATION = 25
SEED = 20260306
KEYS = [("platform", None), ("seller", "Lumen Lighting")]

# (check, operation) -> why the API answers as it does. positive_data_acceptance expects a
# schema-valid request to pass; these operations refuse some with a 422 business rule that a
# JSON schema cannot state.
KNOWN_EXCEPTIONS: dict[tuple[str, str], str] = {
    ("positive_data_acceptance", "GET /api/v1/returns"): (
        "a cursor is opaque text: one this API did not issue is 422 invalid_cursor"
    ),
    ("positive_data_acceptance", "GET /api/v1/staff"): (
        "a cursor is opaque text: one this API did not issue is 422 invalid_cursor"
    ),
    ("positive_data_acceptance", "POST /api/v1/staff"): (
        "an email is checked by Django's EmailValidator (422), stricter than any JSON schema string"
    ),
    ("positive_data_acceptance", "POST /api/v1/orders"): (
        "currencies and countries are checked against ISO 4217 and ISO 3166-1 (422), not declared as enums"
    ),
    ("positive_data_acceptance", "POST /api/v1/returns"): (
        "the order's own facts decide: a line named twice is 422 duplicate_line, more units than bought 422"
    ),
    ("positive_data_acceptance", "POST /api/v1/returns/preview"): (
        "the order's own facts decide, as for POST /returns: a line named twice is 422 duplicate_line, a line the"
        " order lacks 422 line_not_in_order, an exchange_variant_id without preferred_resolution exchange 422"
    ),
    ("positive_data_acceptance", "POST /api/v1/returns/{code}/inspect"): (
        "a condition that contradicts the outcome (not_the_item yet accepted) is 422 condition_contradicts_outcome"
    ),
    ("positive_data_acceptance", "GET /api/v1/dropoff-points"): (
        "a cursor is opaque text: one this API did not issue is 422 invalid_cursor"
    ),
    ("positive_data_acceptance", "POST /api/v1/dropoff-points"): (
        "an address's country is checked against ISO 3166-1 (422), not declared as an enum"
    ),
    ("positive_data_acceptance", "POST /api/v1/dropoffs"): (
        "one body for two callers: a carrier's needs point_id, the platform's carrier and tracking_number and no"
        " point_id (422 by the key's role); tracking numbers are checked by shape and check digit (422)"
    ),
    ("positive_data_acceptance", "POST /api/v1/tracking-events"): (
        "tracking numbers are checked by shape and check digit, occurred_at within 1970-2200 and at most five"
        " minutes ahead (422): rules a JSON schema's date-time format cannot state"
    ),
    ("positive_data_acceptance", "POST /api/v1/parcels"): (
        "an S10 or UPS tracking number's check digit is checked: a wrong one is 422 bad_check_digit"
    ),
    ("positive_data_acceptance", "GET /api/v1/parcels"): (
        "a cursor is opaque text: one this API did not issue is 422 invalid_cursor"
    ),
    ("positive_data_acceptance", "PUT /api/v1/policies/{seller}"): (
        "a policy's values have ranges that depend on each other and on the default's seller_bounds (422"
        " outside_platform_bounds); money maps' keys are checked against ISO 4217 (422 validation_error)"
    ),
    ("positive_data_acceptance", "POST /api/v1/returns/{code}/refund"): (
        "a refund requires an Idempotency-Key header (428 idempotency_key_required); the return's own lines and"
        " caps decide zero_amount, line_not_in_return and amount_not_representable (422)"
    ),
    ("positive_data_acceptance", "POST /api/v1/returns/{code}/offer"): (
        'an amount is a plain decimal string ("" or "1e3" is 422 validation_error, which the schema\'s string'
        " cannot say); the order's currency decides amount_not_representable, the caps zero_amount (422)"
    ),
    ("positive_data_acceptance", "POST /api/v1/returns/{code}/exchange"): (
        "the return's own lines decide: a line named twice is 422 duplicate_line, one it lacks 422"
        " line_not_in_return, an accepted line left out 422 exchange_incomplete, its policy 422 exchange_not_allowed"
    ),
}


def config_text() -> str:
    """schemathesis.toml: each known exception as an operation with that check switched off."""
    blocks = [
        f'[[operations]]\ninclude-name = "{operation}"\nchecks.{check}.enabled = false\n'
        for check, operation in KNOWN_EXCEPTIONS
    ]
    return "\n".join(blocks)


@pytest.fixture(scope="module")
def demo(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Demo]:
    """A served demo of this module's own: schemathesis changes what it finds."""
    data_dir = tmp_path_factory.mktemp("demo")
    server = spawn(data_dir=data_dir, env=server_env(data_dir), log=tmp_path_factory.mktemp("log") / "serve.log")
    yield Demo(server)
    server.stop()


def test_schemathesis_finds_no_failure_with_a_platform_key_and_a_seller_key(demo: Demo, tmp_path: Path) -> None:
    config = tmp_path / "schemathesis.toml"
    config.write_text(config_text())
    deadline = time.monotonic() + HANG_GUARD_SECONDS
    # Both at once: most of a run is waiting for answers.
    runs = {
        role: processes.start(
            schemathesis_args(config, demo, key=demo.secret(role, name)), env=dict(os.environ), log=tmp_path / role
        )
        for role, name in KEYS
    }
    finished = {role: finish(process, deadline=deadline) for role, process in runs.items()}

    outputs = {role: (tmp_path / role).read_text(errors="replace") for role in runs}
    for role, status in finished.items():
        assert status is not None, (
            f"schemathesis with the {role} key ran past {HANG_GUARD_SECONDS:.0f} s:\n{outputs[role]}"
        )
        assert status == 0, f"schemathesis with the {role} key:\n{outputs[role]}"


def finish(process: subprocess.Popen[bytes], *, deadline: float) -> int | None:
    """The exit status, or None when the process was still running at ``deadline`` (then stopped)."""
    try:
        return process.wait(timeout=max(deadline - time.monotonic(), 0))
    except subprocess.TimeoutExpired:
        processes.stop_group(process)
        return None


def schemathesis_args(config: Path, demo: Demo, *, key: str) -> list[str]:
    """The schemathesis command against the demo with ``key``.

    No ``--checks``: schemathesis 4 runs every check unless told otherwise, and checks named on the
    command line would override the known exceptions in ``config``.
    """
    return [
        SCHEMATHESIS,
        "--config-file",
        str(config),
        "run",
        f"{demo.url}/api/v1/openapi.json",
        "--header",
        f"Authorization: Bearer {key}",
        "--phases",
        "examples,coverage,fuzzing",
        "--max-examples",
        str(EXAMPLES_PER_OPERATION),
        "--seed",
        str(SEED),
        "--continue-on-failure",
        # Known exception for every operation: text holding NUL is 422 nul_character everywhere,
        # since PostgreSQL cannot store it; a JSON schema string cannot say so.
        "--generation-allow-x00",
        "false",
        # Nothing kept between runs, nowhere in the checkout.
        "--generation-database",
        "none",
        "--no-color",
    ]
