"""The application under load: its scratch database, its keys, gunicorn serving it, and the data
seeded through its API (orders built by ``returndesk.scenarios.payloads``, the one order builder)."""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import secrets
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

from bench.common import BIN, CONNECTIONS, OUT, ROOT, WORKERS, HarnessError, log, run
from returndesk.scenarios.payloads import line_payload, order_payload, return_payload
from returndesk.testing import processes

SELLERS = 10  # seeded orders belong to sellers BENCH-S-0 .. BENCH-S-9, each with its own seller key
BUYERS = 50
LARGE_QUANTITY = 100_000  # lines this large never run out of returnable units during the run
SEED_THREADS = 8
REQUEST_TIMEOUT = 30
SERVER_STOP_TIMEOUT = 20.0
# The fake gateway's settings for the refund target: every refund succeeds at its first attempt.
FAKE_GATEWAY = {"fail_rate": 0, "delay_seconds": 0}
# What the bench's own environment may hold that would point the server somewhere else.
_INHERITED = ("REDIS_URL", "RETURNDESK_DEBUG", "RETURNDESK_DATA_DIR")


# --- the database ----------------------------------------------------------------------------


def database_url(admin_url: str, name: str) -> str:
    return urlunsplit(urlsplit(admin_url)._replace(path=f"/{name}"))


@contextlib.contextmanager
def bench_database(admin_url: str) -> Iterator[str]:
    """A fresh database for this run, dropped afterwards whatever happens; yields its URL."""
    name = f"returndesk_bench_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as error:
        raise HarnessError(f"cannot create a database through {admin_url}: {error}") from error
    log(f"created database {name}")
    try:
        yield database_url(admin_url, name)
    finally:
        with psycopg.connect(admin_url, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        log(f"dropped database {name}")


def settle(url: str) -> None:
    """Leave the database as a running service has it, not just after a burst of seeding: the
    seeding's dead row versions vacuumed, statistics fresh, its dirty pages written
    (``CHECKPOINT``, which needs a superuser or ``pg_checkpoint``; skipped without). Without this,
    a target measured right after seeding thousands of returns pays for the seeding's autovacuum
    and checkpoint (seen here: the handover at 236 requests/s after seeding 8,763 returns, 384
    after seeding 2,941). pgbench vacuums before its runs for the same reason."""
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM (ANALYZE)")
        try:
            conn.execute("CHECKPOINT")
        except psycopg.errors.InsufficientPrivilege:
            log("settle: no privilege to CHECKPOINT; measuring without")


def _count(url: str, query: str, *params: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute(query, params).fetchone()
    assert row is not None
    return int(row[0])


def count_returns(url: str) -> int:
    return _count(url, "SELECT count(*) FROM returns_return")


def count_orders(url: str) -> int:
    return _count(url, "SELECT count(*) FROM marketplace_order")


def count_events(url: str, action: str) -> int:
    """Timeline events of one action (a return approved once has one ``approve`` event)."""
    return _count(url, "SELECT count(*) FROM returns_returnevent WHERE action = %s", action)


def returns_in(url: str, status: str) -> list[tuple[str, str]]:
    """The returns still in ``status``, oldest first: (code, seller external id). Requested ones
    are approve's; inspected ones (no refund yet) the refund target's."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT r.code, s.external_id FROM returns_return r JOIN marketplace_seller s ON s.id = r.seller_id"
            " WHERE r.status = %s ORDER BY r.id",
            (status,),
        ).fetchall()
    return [(str(code), str(seller)) for code, seller in rows]


def handover_ready(url: str) -> list[str]:
    """The codes of approved returns whose parcel nobody has handed over yet, oldest first."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT code FROM returns_return WHERE status = 'approved' AND NOT parcel_recorded ORDER BY id"
        ).fetchall()
    return [str(code) for (code,) in rows]


def count_receipts(url: str) -> int:
    return _count(url, "SELECT count(*) FROM dropoffs_receipt")


def receivable_returns(url: str) -> list[tuple[str, str, str]]:
    """The one-line returns still ``approved`` or ``in_transit``, oldest first: (code, seller
    external id, the SKU of its line)."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT r.code, s.external_id, MIN(ol.sku) FROM returns_return r"
            " JOIN marketplace_seller s ON s.id = r.seller_id"
            " JOIN returns_returnline rl ON rl.return_request_id = r.id"
            " JOIN marketplace_orderline ol ON ol.id = rl.order_line_id"
            " WHERE r.status IN ('approved', 'in_transit')"
            " GROUP BY r.id, r.code, s.external_id HAVING COUNT(*) = 1 ORDER BY r.id"
        ).fetchall()
    return [(str(code), str(seller), str(sku)) for code, seller, sku in rows]


def received_returns(url: str) -> list[tuple[str, str, str]]:
    """The one-line returns still ``received``, oldest first: (code, seller external id, the
    external id of its line), to be inspected."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT r.code, s.external_id, MIN(ol.external_id) FROM returns_return r"
            " JOIN marketplace_seller s ON s.id = r.seller_id"
            " JOIN returns_returnline rl ON rl.return_request_id = r.id"
            " JOIN marketplace_orderline ol ON ol.id = rl.order_line_id"
            " WHERE r.status = 'received'"
            " GROUP BY r.id, r.code, s.external_id HAVING COUNT(*) = 1 ORDER BY r.id"
        ).fetchall()
    return [(str(code), str(seller), str(line)) for code, seller, line in rows]


def count_refunds(url: str) -> int:
    return _count(url, "SELECT count(*) FROM refunds_refund")


def server_version(url: str) -> str:
    with psycopg.connect(url) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    return str(row[0]) if row else "unknown"


# --- the application -------------------------------------------------------------------------


def app_env(url: str, redis_url: str) -> dict[str, str]:
    """The server's and the commands' environment: production mode against the bench database."""
    env = {name: value for name, value in os.environ.items() if name not in _INHERITED}
    env |= {
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "returndesk.settings",
        # Refunds go through the fake gateway (stateless, never failing here), as issue 9's bar
        # measures them: every payment without a gateway of its own uses the default one.
        "RETURNDESK_FAKE_GATEWAY": json.dumps(FAKE_GATEWAY),
        "RETURNDESK_DEFAULT_GATEWAY": "fake",
    }
    if redis_url:
        env["REDIS_URL"] = redis_url
    return env


def migrate(env: dict[str, str]) -> None:
    log("migrating")
    run([str(BIN / "returndesk"), "migrate", "--verbosity", "0"], env=env, what="returndesk migrate")


def create_key(env: dict[str, str], role: str, seller: str | None = None) -> str:
    args = [str(BIN / "returndesk"), "createkey", "--role", role, "--name", f"bench {seller or role}"]
    if seller:
        args += ["--seller", seller]
    key = run(args, env=env, what=f"returndesk createkey --role {role}").strip()
    if not key.startswith("rdk_") or "\n" in key:
        raise HarnessError(f"returndesk createkey printed {key!r}, not a key")
    return key


def seller_keys(env: dict[str, str], orders: int) -> dict[str, str]:
    """One seller key per seller of the seeded orders."""
    sellers = sorted({seller_id(number) for number in range(orders)})
    with ThreadPoolExecutor(max_workers=2) as pool:
        return dict(zip(sellers, pool.map(lambda seller: create_key(env, "seller", seller), sellers), strict=True))


@contextlib.contextmanager
def gunicorn(env: dict[str, str]) -> Iterator[processes.ServerProcess]:
    """Serve the app with sync workers, two per core, until the block ends (its log in bench/out/)."""
    port = processes.free_port()
    args = [
        str(BIN / "gunicorn"),
        "returndesk.wsgi:application",
        "--worker-class",
        "sync",
        "--workers",
        str(WORKERS),
        "--bind",
        f"127.0.0.1:{port}",
        "--log-level",
        "warning",
    ]
    logfile = OUT / "gunicorn.log"
    server = processes.ServerProcess(
        process=processes.start(args, env=env, log=logfile, cwd=ROOT), port=port, log=logfile
    )
    try:
        try:
            server.wait_until_serving("/api/v1/health", name="gunicorn")
        except processes.NotServing as error:
            raise HarnessError(str(error)) from error
        log(f"gunicorn serving {server.url} with {WORKERS} sync workers")
        yield server
    finally:
        server.stop(timeout=SERVER_STOP_TIMEOUT)
        log("gunicorn stopped")


def request(base: str, method: str, path: str, token: str | None = None, body: object = None) -> tuple[int, object]:
    """One JSON request; answers the status and the decoded body (errors included)."""
    headers = {"Content-Type": "application/json"}
    if token:
        headers["Authorization"] = f"Bearer {token}"
    data = json.dumps(body).encode() if body is not None else None
    # Only ever our own gunicorn on http://127.0.0.1, never a URL from outside.
    prepared = urllib.request.Request(base + path, data=data, method=method, headers=headers)  # noqa: S310
    try:
        with urllib.request.urlopen(prepared, timeout=REQUEST_TIMEOUT) as response:  # noqa: S310
            return response.status, json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode(errors="replace")


def expect(answer: tuple[int, object], status: int, what: str) -> dict[str, object]:
    code, body = answer
    if code != status or not isinstance(body, dict):
        raise HarnessError(f"{what}: expected {status}, got {code}: {str(body)[:500]}")
    return body


# --- seeding through the API -----------------------------------------------------------------


def order_id(number: int) -> str:
    return f"BENCH-O-{number}"


def seller_id(number: int) -> str:
    return f"BENCH-S-{number % SELLERS}"


def order_body(number: int, now: dt.datetime) -> dict[str, Any]:
    """An order delivered yesterday with two lines of LARGE_QUANTITY units, so that repeated returns on
    a line keep succeeding, and a seller per order among SELLERS."""

    def large_line(external_id: str, sku: str, title: str) -> dict[str, Any]:
        return line_payload(
            external_id,
            sku=sku,
            title=title,
            quantity=LARGE_QUANTITY,
            unit_price="20.00",
            category="home",
            weight_g=500,
        )

    return order_payload(
        external_id=order_id(number),
        number=f"N{number}",
        seller=seller_id(number),
        buyer=f"BENCH-B-{number % BUYERS}",
        placed_at=now - dt.timedelta(days=5),
        delivered_at=now - dt.timedelta(days=1),
        lines=[
            large_line("L1", f"SKU-{number}", "Lamp"),
            large_line("L2", f"SKU-{number}-2", "Cable"),
        ],
    )


def return_body(number: int, line: str) -> dict[str, Any]:
    """One defective unit of ``line`` of order ``number``."""
    return return_payload(order_id(number), (line, 1, "defective"))


def import_orders(base: str, platform_key: str, numbers: range) -> None:
    """Import the orders ``numbers`` (``order_body``)."""
    now = dt.datetime.now(dt.UTC)

    def import_order(number: int) -> None:
        answer = request(base, "POST", "/api/v1/orders", platform_key, order_body(number, now))
        expect(answer, 201, f"importing order {number}")

    with ThreadPoolExecutor(max_workers=SEED_THREADS) as pool:
        list(pool.map(import_order, numbers))


def seed(base: str, platform_key: str, carrier_key: str, orders: int) -> list[str]:
    """Import ``orders`` orders, open and approve one return on each; answers the approved codes."""

    def open_and_approve(number: int) -> str:
        opened = expect(
            request(base, "POST", "/api/v1/returns", platform_key, return_body(number, "L1")),
            201,
            f"opening a return on order {number}",
        )
        code = str(opened["code"])
        approved = expect(
            request(base, "POST", f"/api/v1/returns/{code}/approve", platform_key, {}), 200, f"approving return {code}"
        )
        if approved["status"] != "approved":
            raise HarnessError(f"return {code} is {approved['status']!r} after approval")
        return code

    import_orders(base, platform_key, range(orders))
    with ThreadPoolExecutor(max_workers=SEED_THREADS) as pool:
        codes = list(pool.map(open_and_approve, range(orders)))
    verdict = expect(request(base, "GET", f"/api/v1/codes/{codes[0]}", carrier_key), 200, "verifying a code")
    if verdict["result"] != "valid":
        raise HarnessError(f"an approved code verifies as {verdict['result']!r}, not 'valid'")
    log(f"seeded {orders} orders and {len(codes)} approved returns")
    return codes


def seed_approved(base: str, platform_key: str, count: int, orders: int) -> None:
    """Open and approve ``count`` more returns (one unit of line L1, round-robin over the orders)."""

    def open_and_approve(number: int) -> None:
        opened = expect(
            request(base, "POST", "/api/v1/returns", platform_key, return_body(number % orders, "L1")),
            201,
            f"opening a return on order {number % orders}",
        )
        expect(
            request(base, "POST", f"/api/v1/returns/{opened['code']}/approve", platform_key, {}),
            200,
            f"approving return {opened['code']}",
        )

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CONNECTIONS) as pool:
        list(pool.map(open_and_approve, range(count)))
    log(f"seeded {count} approved returns in {time.monotonic() - started:.0f} s")


def seed_requested(base: str, platform_key: str, count: int, orders: int) -> None:
    """Open ``count`` more returns (one unit of line L1, round-robin over the orders), left requested."""

    def open_one(number: int) -> None:
        expect(
            request(base, "POST", "/api/v1/returns", platform_key, return_body(number % orders, "L1")),
            201,
            f"opening a return on order {number % orders}",
        )

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CONNECTIONS) as pool:
        list(pool.map(open_one, range(count)))
    log(f"seeded {count} requested returns in {time.monotonic() - started:.0f} s")


def inspect_body(line: str) -> dict[str, Any]:
    """Every unit of ``line`` accepted as new: the whole return is refundable."""
    return {"lines": [{"line": line, "outcome": "accepted", "condition": "as_new"}]}


def seed_inspected(
    base: str, platform_key: str, seller_keys: dict[str, str], *, count: int, orders: int, url: str
) -> None:
    """Make ``count`` more returns ``inspected``: the received ones first (inspected by their
    seller's key), then new ones (one unit of line L1, round-robin over the orders) opened and
    approved by the platform key, received and inspected by their seller's key."""

    def inspect(code: str, seller: str, line: str) -> None:
        answer = request(base, "POST", f"/api/v1/returns/{code}/inspect", seller_keys[seller], inspect_body(line))
        inspected = expect(answer, 200, f"inspecting return {code}")
        if inspected["status"] != "inspected":
            raise HarnessError(f"return {code} is {inspected['status']!r} after inspection")

    def open_to_inspected(number: int) -> None:
        order, seller = number % orders, seller_id(number % orders)
        opened = expect(
            request(base, "POST", "/api/v1/returns", platform_key, return_body(order, "L1")),
            201,
            f"opening a return on order {order}",
        )
        code = str(opened["code"])
        path = f"/api/v1/returns/{code}"
        expect(request(base, "POST", f"{path}/approve", platform_key, {}), 200, f"approving return {code}")
        expect(request(base, "POST", f"{path}/receive", seller_keys[seller], {}), 200, f"receiving return {code}")
        inspect(code, seller, "L1")

    started = time.monotonic()
    received = received_returns(url)[:count]
    with ThreadPoolExecutor(max_workers=CONNECTIONS) as pool:
        list(pool.map(lambda row: inspect(*row), received))
        list(pool.map(open_to_inspected, range(count - len(received))))
    seconds = time.monotonic() - started
    log(f"seeded {count} inspected returns ({len(received)} of them received before) in {seconds:.0f} s")
