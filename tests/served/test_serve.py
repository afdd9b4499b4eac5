"""``returndesk serve`` as a fresh clone runs it: the embedded demo, and the production path."""

from __future__ import annotations

import http.cookiejar
import re
import sqlite3
import stat
import urllib.parse
import urllib.request
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from returndesk.accounts.keys import KEY_NAMESPACE
from returndesk.demo.keys_file import KEYS_FILE
from tests.served.harness import (
    REQUEST_TIMEOUT,
    Backend,
    Server,
    StartServer,
    createkey,
    free_port,
    run_to_exit,
    server_env,
    spawn,
)

pytestmark = pytest.mark.served

DEMO_STATUSES = {"requested", "approved", "rejected", "cancelled", "received", "inspected", "closed"}
# What GET /api/v1/returns answers each role: a carrier may not list returns, but is known.
LIST_STATUS = {"platform": 200, "agent": 200, "seller": 200, "carrier": 403}

Row = tuple[str, str, str]


def demo_rows(data_dir: Path) -> list[Row]:
    """(role, name, secret) per line of the demo keys file."""
    return [
        (role, name, secret)
        for role, name, secret in (line.split("\t") for line in (data_dir / KEYS_FILE).read_text().splitlines())
    ]


def secret_of(rows: list[Row], role: str) -> str:
    return next(secret for row_role, _, secret in rows if row_role == role)


def returns_listed(server: Server, key: str) -> list[dict[str, Any]]:
    answer = server.get("/api/v1/returns?limit=100", key=key)
    assert answer.status == 200, answer.body
    page = answer.json()
    assert page["next_cursor"] is None
    return list(page["items"])


def orders_stored(data_dir: Path) -> int:
    """Orders in the embedded database file (no API lists orders)."""
    with sqlite3.connect(f"file:{data_dir / 'returndesk.sqlite3'}?mode=ro", uri=True) as connection:
        (count,) = connection.execute("SELECT COUNT(*) FROM marketplace_order").fetchone()
    connection.close()
    return int(count)


def admin_login(server: Server, password: str) -> tuple[str, str]:
    """Log in to the Django admin as ``admin``; (final URL path, page) after the redirect."""
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(http.cookiejar.CookieJar()))
    with opener.open(f"{server.url}/admin/login/", timeout=REQUEST_TIMEOUT) as page:
        form = page.read().decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', form)
    assert token is not None, form
    body = urllib.parse.urlencode(
        {"csrfmiddlewaretoken": token.group(1), "username": "admin", "password": password, "next": "/admin/"}
    ).encode()
    with opener.open(f"{server.url}/admin/login/?next=/admin/", data=body, timeout=REQUEST_TIMEOUT) as page:
        return urllib.parse.urlsplit(page.url).path, page.read().decode()


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """One embedded-default server for the read-only checks of the demo it seeded."""
    data_dir = tmp_path_factory.mktemp("demo")
    server = spawn(data_dir=data_dir, env=server_env(data_dir), log=tmp_path_factory.mktemp("log") / "serve.log")
    yield server
    server.stop()


def test_embedded_serve_seeds_returns_in_several_statuses(demo_server: Server) -> None:
    listed = returns_listed(demo_server, secret_of(demo_rows(demo_server.data_dir), "platform"))

    assert {item["status"] for item in listed} >= DEMO_STATUSES


def test_demo_keys_file_is_private_to_its_owner(demo_server: Server) -> None:
    mode = (demo_server.data_dir / KEYS_FILE).stat().st_mode

    assert stat.S_IMODE(mode) == 0o600
    assert {role for role, _, _ in demo_rows(demo_server.data_dir)} == {
        *LIST_STATUS,
        "admin",
        *(f"user:{role}" for role in ("seller_manager", "seller_warehouse", "agent", "supervisor", "counter")),
    }


def test_every_demo_api_key_authenticates(demo_server: Server) -> None:
    rows = [row for row in demo_rows(demo_server.data_dir) if row[0] in LIST_STATUS]

    answered = [(role, name, demo_server.get("/api/v1/returns", key=secret).status) for role, name, secret in rows]

    assert answered == [(role, name, LIST_STATUS[role]) for role, name, _ in rows]
    assert demo_server.get("/api/v1/returns", key=f"{KEY_NAMESPACE}nothere1_x").status == 401


def test_the_demo_admin_password_logs_in(demo_server: Server) -> None:
    path, page = admin_login(demo_server, secret_of(demo_rows(demo_server.data_dir), "admin"))

    assert path == "/admin/"
    assert "/admin/logout/" in page


def test_serve_prints_the_keys_and_the_urls(demo_server: Server) -> None:
    output = demo_server.output()

    assert [secret for _, _, secret in demo_rows(demo_server.data_dir) if secret not in output] == []
    assert f"{demo_server.url}/api/v1/" in output
    assert f"{demo_server.url}/admin/" in output


def test_restart_on_the_same_data_dir_does_not_seed_again(start_server: StartServer) -> None:
    first = start_server()
    rows = demo_rows(first.data_dir)
    codes = [item["code"] for item in returns_listed(first, secret_of(rows, "platform"))]
    first.stop()
    orders = orders_stored(first.data_dir)

    second = start_server(data_dir=first.data_dir)

    assert [item["code"] for item in returns_listed(second, secret_of(rows, "platform"))] == codes
    assert demo_rows(second.data_dir) == rows
    assert [secret for _, _, secret in rows if secret not in second.output()] == []
    second.stop()
    assert orders_stored(second.data_dir) == orders


def test_with_database_url_and_no_secret_key_serve_refuses_to_start(postgres_database_url: str, tmp_path: Path) -> None:
    env = server_env(tmp_path, {"DATABASE_URL": postgres_database_url})

    status, output = run_to_exit("serve", "--port", str(free_port()), env=env)

    assert status == 1, output
    assert "SECRET_KEY" in output
    assert not (tmp_path / KEYS_FILE).exists()


def test_without_secret_key_serve_refuses_with_its_own_message(postgres_database_url: str, tmp_path: Path) -> None:
    env = server_env(tmp_path, {"DATABASE_URL": postgres_database_url})

    status, output = run_to_exit("serve", "--port", str(free_port()), env=env)

    assert status == 1, output
    assert "refusing to start" in output
    assert "Traceback" not in output


def test_with_database_url_serve_seeds_nothing_and_prints_no_keys(
    migrated_postgres_url: str, start_server: StartServer
) -> None:
    server = start_server(env={"DATABASE_URL": migrated_postgres_url, "SECRET_KEY": "served-test-only"})

    key = createkey(server.env, "--role", "platform")

    assert server.get("/api/v1/returns", key=key).json() == {"items": [], "next_cursor": None}
    assert KEY_NAMESPACE not in server.output()
    assert f"{server.url}/api/v1/" in server.output()
    assert not (server.data_dir / KEYS_FILE).exists()


def test_with_database_url_and_demo_flag_serve_seeds_and_prints_keys(
    migrated_postgres_url: str, start_server: StartServer
) -> None:
    server = start_server("--demo", env={"DATABASE_URL": migrated_postgres_url, "SECRET_KEY": "served-test-only"})
    rows = demo_rows(server.data_dir)

    assert {item["status"] for item in returns_listed(server, secret_of(rows, "platform"))} >= DEMO_STATUSES
    assert [secret for _, _, secret in rows if secret not in server.output()] == []


def test_admin_login_page_and_its_stylesheet_answer(backend: Backend, start_server: StartServer) -> None:
    server = start_server(env=backend.env)

    login = server.get("/admin/login/")
    stylesheet = server.get("/static/admin/css/base.css")

    assert login.status == 200
    assert "/static/admin/css/base.css" in login.body.decode()
    assert stylesheet.status == 200
    assert stylesheet.headers["content-type"].startswith("text/css")
