"""``returndesk serve`` as it starts: what it prints, how it refuses a port it cannot listen on, and
the gunicorn settings it runs with."""

from __future__ import annotations

import re
import socket
import sqlite3
from collections.abc import Iterator
from pathlib import Path

import pytest

from returndesk.demo.keys_file import KEYS_FILE
from tests.served.harness import Server, StartServer, run_command, run_to_exit, server_env, spawn

pytestmark = pytest.mark.served

ANSWERS = {
    "valid": ("valid", None),
    "awaiting approval": ("not_acceptable", "awaiting_approval"),
    "cancelled": ("cancelled", None),
    "expired": ("expired", None),
}


def secrets_by_role(data_dir: Path) -> dict[str, str]:
    rows = (line.split("\t") for line in (data_dir / KEYS_FILE).read_text().splitlines())
    return {role: secret for role, _, secret in rows if role != "seller"}


def codes_printed(output: str) -> dict[str, str]:
    """{answer: code} from the banner's "Return codes to try" lines."""
    found = re.findall(
        r"^  (valid|awaiting approval|cancelled|expired) +([0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z])$", output, re.M
    )
    return dict(found)


def orders_stored(data_dir: Path) -> int:
    with sqlite3.connect(f"file:{data_dir / 'returndesk.sqlite3'}?mode=ro", uri=True) as connection:
        (count,) = connection.execute("SELECT COUNT(*) FROM marketplace_order").fetchone()
    connection.close()
    return int(count)


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("demo")
    server = spawn(data_dir=data_dir, env=server_env(data_dir), log=tmp_path_factory.mktemp("log") / "serve.log")
    yield server
    server.stop()


def test_the_banner_shows_a_code_for_each_everyday_answer_and_the_counter_agrees(demo_server: Server) -> None:
    carrier = secrets_by_role(demo_server.data_dir)["carrier"]
    printed = codes_printed(demo_server.output())

    answered = {}
    for answer, code in printed.items():
        verification = demo_server.get(f"/api/v1/codes/{code}", key=carrier).json()
        answered[answer] = (verification["result"], verification["reason"])

    assert answered == ANSWERS


def test_the_banner_example_calls_answer(demo_server: Server) -> None:
    calls = re.findall(r'^  curl -H "Authorization: Bearer (\S+)" (\S+)$', demo_server.output(), re.M)

    answers = [demo_server.get(url.removeprefix(demo_server.url), key=key).status for key, url in calls]

    assert [url.removeprefix(demo_server.url) for _, url in calls] == [
        "/api/v1/returns",
        f"/api/v1/codes/{codes_printed(demo_server.output())['valid']}",
    ]
    assert answers == [200, 200]


def test_serve_takes_a_request_line_longer_than_gunicorns_default_limit(demo_server: Server) -> None:
    # gunicorn's own default (4094 bytes) would answer this with a bare 400 page.
    path = "/api/v1/health?pad=" + "x" * (4090 - len("/api/v1/health?pad="))

    answer = demo_server.get(path)

    assert len(f"GET {path} HTTP/1.1") == 4103
    assert (answer.status, answer.json()) == (200, {"status": "ok"})


def test_a_demo_key_revoked_since_is_not_printed_at_the_next_start(
    demo_server: Server, start_server: StartServer
) -> None:
    agent = secrets_by_role(demo_server.data_dir)["agent"]
    revoked = run_command(demo_server.env, "revokekey", agent)
    assert revoked.returncode == 0, revoked.stderr

    again = start_server(data_dir=demo_server.data_dir)

    output = again.output()
    assert agent not in output
    assert [secret for secret in secrets_by_role(demo_server.data_dir).values() if secret not in output] == [agent]
    assert "  (1 revoked or disabled since the demo was seeded, not shown)" in output.splitlines()


def test_a_busy_port_is_refused_in_one_line_before_anything_is_seeded_or_printed(tmp_path: Path) -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen()
        port = busy.getsockname()[1]

        status, output = run_to_exit("serve", "--port", str(port), env=server_env(tmp_path))

    assert status == 1, output
    assert re.fullmatch(
        rf"Cannot listen on 127\.0\.0\.1:{port} \(address in use\); set PORT=(\d+) make run or use --port\.\n", output
    ), output
    assert not (tmp_path / KEYS_FILE).exists()
    assert orders_stored(tmp_path) == 0
