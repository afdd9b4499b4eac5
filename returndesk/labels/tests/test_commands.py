"""``returndesk qr-rotate`` and ``returndesk qr-verify``, with the database and (``--keys``) without."""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from returndesk import cli
from returndesk.labels import services
from returndesk.labels.domain import qr
from returndesk.labels.models import QrKey
from returndesk.labels.tests.test_qr import VECTOR
from returndesk.testing import NOW, frozen_clock

RFC_KEYS = {
    "keys": [
        {
            "kid": "21fe31df",
            "alg": "Ed25519",
            "public_key": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo",
            "not_after": None,
        }
    ]
}


@pytest.fixture
def keys_file(tmp_path: Path) -> Path:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(RFC_KEYS))
    return path


def _verify(*args: str) -> str:
    out = io.StringIO()
    call_command("qr-verify", *args, stdout=out)
    return out.getvalue()


def _refusal(*args: str) -> tuple[int, str]:
    with pytest.raises(CommandError) as raised:
        _verify(*args)
    return raised.value.returncode, str(raised.value)


def test_the_cli_verifies_the_test_vector_from_a_keys_file_without_any_database(
    keys_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    # No django_db mark: touching the database (migrating, or reading the keys) would fail the test.
    cli.main(["returndesk", "qr-verify", VECTOR, "--keys", str(keys_file)])

    assert capsys.readouterr().out == "valid K7Q2XM4D9T306 S-1 4102444800\n"


def test_the_cli_exits_2_once_exp_has_passed_and_1_for_a_bad_signature(
    keys_file: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with frozen_clock(datetime(2100, 1, 1, 0, 0, 1, tzinfo=UTC)), pytest.raises(SystemExit) as expired:
        cli.main(["returndesk", "qr-verify", VECTOR, f"--keys={keys_file}"])
    with pytest.raises(SystemExit) as tampered:
        cli.main(
            ["returndesk", "qr-verify", VECTOR.replace("S-1", "S-2").replace("Uy0x", "Uy0y"), f"--keys={keys_file}"]
        )

    assert (expired.value.code, tampered.value.code) == (2, 1)
    assert capsys.readouterr().err == (
        "CommandError: expired K7Q2XM4D9T306 S-1 4102444800: This label's QR code expired at Unix time 4102444800.\n"
        "CommandError: invalid (bad_signature): The QR payload's signature does not verify.\n"
    )


def test_each_refusal_says_why(keys_file: Path) -> None:
    assert _refusal("RD1.nonsense", "--keys", str(keys_file)) == (
        1,
        "invalid (malformed): The QR payload is not of the form RD1.<code>.<seller>.<exp>.<kid>.<sig>.",
    )
    assert _refusal(VECTOR.replace("21fe31df", "21fe31de"), "--keys", str(keys_file)) == (
        1,
        "invalid (unknown_kid): No published key has the id 21fe31de.",
    )


def test_a_key_past_its_not_after_in_the_file_is_not_trusted(tmp_path: Path) -> None:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps({"keys": [{**RFC_KEYS["keys"][0], "not_after": "2025-01-01T00:00:00Z"}]}))

    with frozen_clock(datetime(2025, 1, 1, tzinfo=UTC)):
        assert (
            _refusal(VECTOR, "--keys", str(path))[1] == "invalid (unknown_kid): No published key has the id 21fe31df."
        )
    with frozen_clock(datetime(2024, 12, 31, 23, 59, 59, tzinfo=UTC)):
        assert _verify(VECTOR, "--keys", str(path)) == "valid K7Q2XM4D9T306 S-1 4102444800\n"


@pytest.mark.parametrize(
    ("keys", "why"),
    [
        (
            {"keys": [{**RFC_KEYS["keys"][0], "kid": "00000000"}]},
            "key '00000000': the kid is not that of its public key",
        ),
        ({"keys": [{**RFC_KEYS["keys"][0], "public_key": "AAAA"}]}, "key '21fe31df' is not a raw Ed25519 public key"),
        ({"items": []}, "'keys'"),
    ],
)
def test_a_keys_file_that_lies_or_is_not_one_is_refused(tmp_path: Path, keys: object, why: str) -> None:
    path = tmp_path / "keys.json"
    path.write_text(json.dumps(keys))

    assert _refusal(VECTOR, "--keys", str(path)) == (1, f"cannot read the keys in {path}: {why}")


@pytest.mark.django_db
def test_rotation_prints_the_new_kid_and_verification_reads_the_published_keys() -> None:
    first = services.qr_key_current(now=NOW)
    out = io.StringIO()

    call_command("qr-rotate", stdout=out, stderr=io.StringIO())

    newest = QrKey.objects.order_by("-id").first()
    assert newest is not None
    assert (out.getvalue(), QrKey.objects.count()) == (f"{newest.kid}\n", 2)
    payload = services.qr_payload_sign(code="K7Q2XM4D9T306", seller="S-A", ship_by=datetime(2031, 1, 1, tzinfo=UTC))
    assert qr.parse(payload).kid == newest.kid != first.kid
    with frozen_clock(NOW):
        assert _verify(payload) == "valid K7Q2XM4D9T306 S-A 1924992000\n"
        assert _refusal(VECTOR) == (1, "invalid (unknown_kid): No published key has the id 21fe31df.")
