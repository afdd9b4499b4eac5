"""Load benchmark: the verifier, return creation and approval, beside the trivial endpoint and pgbench.

What it measures, at 16 connections, in one run on one machine:

- ``GET /api/v1/health``: the trivial endpoint (no key, no database), the floor of what
  gunicorn + Django + django-ninja cost per request;
- ``GET /api/v1/codes/{code}``: the verifier, with a carrier key, cycling over many approved codes
  (authentication, the failure rate-limit check, the look-up, the rendering);
- ``POST /api/v1/returns``: return creation with the platform key, every request a valid new return;
- ``POST /api/v1/returns/{code}/approve``: one lifecycle transition, each seller approving its own
  requested returns with its seller key, every request a valid approval of a return not yet approved;
- ``pgbench -S``: PostgreSQL's own select-only throughput on the same database;
- ``pgbench`` TPC-B (the built-in script): PostgreSQL's own write ceiling, after -S, same database.

Why: absolute figures depend on the machine, ratios much less. verifier/health says how much the
verifier's own work costs on top of the framework; verifier/pgbench how far it is from what the
database alone serves; create/TPC-B and approve/TPC-B how far the writing endpoints are from the
database's own write transactions. The contract wants the verifier at >= 40% of health in the same run.

How (one command, ``make bench``): install wrk if missing, create a throw-away PostgreSQL database,
migrate it, create keys with ``returndesk createkey``, serve it with gunicorn (sync workers, two per
core, persistent database connections), seed orders and approved returns through the real API,
drive each endpoint with wrk (a warm-up, then the measured run), run pgbench in the same database,
print the table and the ratios, and write them to docs/benchmarks.md. The server and the database
are removed at the end, also on errors and on Ctrl-C or SIGTERM. Raw outputs stay in bench/out/.

Environment: BENCH_SECONDS (15), BENCH_WARMUP_SECONDS (3), BENCH_ORDERS (300), BENCH_POSTGRES_URL
(admin connection, default postgres://postgres@127.0.0.1:5432/postgres), BENCH_REDIS_URL (unset:
the rate-limit counters live in the database, the default deployment), BENCH_QUIET_WAIT (60: how
long to wait, before each target, for other processes to leave the CPU alone; the share they took
during each measured run is reported either way), BENCH_RETRIES (2: how many more times a target
is measured while other processes take more than 10% of the CPU during it), BENCH_APPROVE_RETURNS
(9000: requested returns available to the approve target, those the creation run made included),
BENCH_SERIES (unset: a title, e.g. "Baseline before issue 5"; each run then adds its key figures to
that section of the document, which shows every run of the series and their median).

Exit status: 0 when the benchmark ran (whether the 40% line passes or fails), 2 on harness errors
(a missing tool, a failed setup step, or answers that were not the expected ones), 3 when a run of a
series was disturbed by other processes (above 10% of the CPU during some target): it is printed but
neither added to the series nor written to docs/benchmarks.md.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import json
import os
import platform
import re
import secrets
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path
from typing import TypeVar
from urllib.parse import urlsplit, urlunsplit

import psycopg
from psycopg import sql

ROOT = Path(__file__).resolve().parent.parent
OUT = ROOT / "bench" / "out"
DOC = ROOT / "docs" / "benchmarks.md"
BIN = Path(sys.executable).parent
COMMAND = "make bench"

ADMIN_URL = os.environ.get("BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/postgres")
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "")
SECONDS = int(os.environ.get("BENCH_SECONDS", "15"))
WARMUP_SECONDS = int(os.environ.get("BENCH_WARMUP_SECONDS", "3"))
ORDERS = int(os.environ.get("BENCH_ORDERS", "300"))
QUIET_WAIT = int(os.environ.get("BENCH_QUIET_WAIT", "60"))
APPROVE_RETURNS = int(os.environ.get("BENCH_APPROVE_RETURNS", "9000"))
RETRIES = int(os.environ.get("BENCH_RETRIES", "2"))
SERIES = os.environ.get("BENCH_SERIES", "").strip()
CONNECTIONS, THREADS = 16, 2
WORKERS = (os.cpu_count() or 1) * 2
PGBENCH_SCALE = 10
PGBENCH_SAMPLING = 0.1  # share of pgbench transactions logged, for its percentiles
SELLERS = 10  # seeded orders belong to sellers BENCH-S-0 .. BENCH-S-9, each with its own seller key
TARGET_RATIO = 0.40  # the verifier must sustain this share of health's throughput
LARGE_QUANTITY = 100_000  # lines this large never run out of returnable units during the run
SETTLE_SECONDS = 2  # for the server to finish the requests wrk left in flight
BUSY_WARNING = 0.10  # other processes taking more of the CPU than this make a run suspect

T = TypeVar("T")


class HarnessError(Exception):
    """The benchmark could not run, or its answers were not the expected ones."""


class DisturbedRun(Exception):
    """A run of a series during which other processes took the CPU: printed, but not kept."""


def log(message: str) -> None:
    print(f"bench: {message}", file=sys.stderr, flush=True)


# --- tools -----------------------------------------------------------------------------------


def ensure_tool(command: str, package: str) -> str:
    """The tool's path, installing its Debian package when we are root and have apt-get."""
    found = shutil.which(command)
    if found:
        return found
    if os.geteuid() == 0 and shutil.which("apt-get"):
        log(f"{command} is missing; installing the Debian package {package}")
        env = {**os.environ, "DEBIAN_FRONTEND": "noninteractive"}
        install = ["apt-get", "install", "-y", "--no-install-recommends", package]
        if subprocess.run(install, env=env, stdout=sys.stderr, check=False).returncode != 0:
            subprocess.run(["apt-get", "update"], env=env, stdout=sys.stderr, check=False)
            subprocess.run(install, env=env, stdout=sys.stderr, check=False)
        found = shutil.which(command)
        if found:
            return found
    raise HarnessError(
        f"{command} is not installed. Install the Debian package {package!r} "
        f"(apt-get install {package}) or put {command} on PATH, then run `{COMMAND}` again."
    )


def run(args: list[str], *, env: dict[str, str] | None = None, what: str) -> str:
    """Run a command to completion and return its stdout; a failure is a harness error."""
    result = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise HarnessError(f"{what} failed (exit {result.returncode}):\n{result.stdout}{result.stderr}")
    return result.stdout


# --- database --------------------------------------------------------------------------------


def database_url(name: str) -> str:
    parts = urlsplit(ADMIN_URL)
    return urlunsplit(parts._replace(path=f"/{name}"))


@contextlib.contextmanager
def bench_database() -> Iterator[str]:
    """A fresh database for this run, dropped afterwards whatever happens; yields its URL."""
    name = f"returndesk_bench_{secrets.token_hex(4)}"
    try:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(sql.SQL("CREATE DATABASE {}").format(sql.Identifier(name)))
    except psycopg.Error as error:
        raise HarnessError(f"cannot create a database through {ADMIN_URL}: {error}") from error
    log(f"created database {name}")
    try:
        yield database_url(name)
    finally:
        with psycopg.connect(ADMIN_URL, autocommit=True) as admin:
            admin.execute(sql.SQL("DROP DATABASE IF EXISTS {} WITH (FORCE)").format(sql.Identifier(name)))
        log(f"dropped database {name}")


def count_returns(url: str) -> int:
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM returns_return").fetchone()
    assert row is not None
    return int(row[0])


def count_events(url: str, action: str) -> int:
    """Timeline events of one action (a return approved once has one ``approve`` event)."""
    with psycopg.connect(url) as conn:
        row = conn.execute("SELECT count(*) FROM returns_returnevent WHERE action = %s", (action,)).fetchone()
    assert row is not None
    return int(row[0])


def requested_returns(url: str) -> list[tuple[str, str]]:
    """The returns still in status ``requested``, oldest first: (code, seller external id)."""
    with psycopg.connect(url) as conn:
        rows = conn.execute(
            "SELECT r.code, s.external_id FROM returns_return r JOIN marketplace_seller s ON s.id = r.seller_id"
            " WHERE r.status = 'requested' ORDER BY r.id"
        ).fetchall()
    return [(str(code), str(seller)) for code, seller in rows]


# --- the application -------------------------------------------------------------------------


def app_env(url: str) -> dict[str, str]:
    """The server's environment: production mode against the bench database."""
    env = {
        name: value
        for name, value in os.environ.items()
        if name not in ("REDIS_URL", "RETURNDESK_DEBUG", "RETURNDESK_DATA_DIR")
    }
    env |= {
        "DATABASE_URL": url,
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "127.0.0.1",
        "CONN_MAX_AGE": "600",
        "LOG_LEVEL": "WARNING",
        "DJANGO_SETTINGS_MODULE": "returndesk.settings",
    }
    if REDIS_URL:
        env["REDIS_URL"] = REDIS_URL
    return env


def create_key(env: dict[str, str], role: str, seller: str | None = None) -> str:
    args = [str(BIN / "returndesk"), "createkey", "--role", role, "--name", f"bench {seller or role}"]
    if seller:
        args += ["--seller", seller]
    key = run(args, env=env, what=f"returndesk createkey --role {role}").strip()
    if not key.startswith("rdk_") or "\n" in key:
        raise HarnessError(f"returndesk createkey printed {key!r}, not a key")
    return key


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@contextlib.contextmanager
def gunicorn(env: dict[str, str]) -> Iterator[tuple[str, int]]:
    """Serve the app with sync workers, two per core; yields the base URL and the master's pid."""
    port = free_port()
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
    with logfile.open("w") as output:
        server = subprocess.Popen(
            args, env=env, cwd=ROOT, stdout=output, stderr=subprocess.STDOUT, start_new_session=True
        )
    try:
        base = f"http://127.0.0.1:{port}"
        wait_until_serving(base, server, logfile)
        log(f"gunicorn serving {base} with {WORKERS} sync workers")
        yield base, server.pid
    finally:
        stop(server)


def wait_until_serving(base: str, server: subprocess.Popen[bytes], logfile: Path) -> None:
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        if server.poll() is not None:
            raise HarnessError(f"gunicorn exited with {server.returncode}:\n{logfile.read_text()}")
        with contextlib.suppress(OSError):
            if request(base, "GET", "/api/v1/health")[0] == 200:
                return
        time.sleep(0.2)
    raise HarnessError(f"gunicorn did not answer /api/v1/health within 30 s:\n{logfile.read_text()}")


def stop(server: subprocess.Popen[bytes]) -> None:
    """Gracefully stop gunicorn's master and workers (its own process group), then force it."""
    if server.poll() is None:
        with contextlib.suppress(ProcessLookupError):
            os.killpg(server.pid, signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(server.pid, signal.SIGKILL)
            server.wait()
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
        with urllib.request.urlopen(prepared, timeout=30) as response:  # noqa: S310
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


def order_body(number: int, now: dt.datetime) -> dict[str, object]:
    """An order delivered yesterday with two lines of LARGE_QUANTITY units (shape of conftest.order_payload)."""
    seller, buyer = seller_id(number), f"BENCH-B-{number % 50}"
    line = {
        "sku": f"SKU-{number}",
        "quantity": LARGE_QUANTITY,
        "unit_price": "20.00",
        "paid_amount": "2000000.00",
        "category": "home",
        "weight_g": 500,
    }
    return {
        "external_id": order_id(number),
        "number": f"N{number}",
        "currency": "EUR",
        "placed_at": (now - dt.timedelta(days=5)).isoformat(),
        "delivered_at": (now - dt.timedelta(days=1)).isoformat(),
        "shipping_amount": "5.00",
        "seller": {
            "external_id": seller,
            "name": f"Seller {seller}",
            "country": "DE",
            "return_address": {
                "name": "Returns",
                "lines": ["Street 1"],
                "city": "Berlin",
                "postal_code": "10115",
                "country": "DE",
            },
        },
        "buyer": {
            "external_id": buyer,
            "email": f"{buyer.lower()}@example.com",
            "name": f"Buyer {buyer}",
            "country": "ES",
            "time_zone": "Europe/Madrid",
        },
        "payments": [{"method": "card", "amount": "4000005.00"}],
        "lines": [
            {**line, "external_id": "L1", "title": "Lamp"},
            {**line, "external_id": "L2", "title": "Cable", "sku": f"SKU-{number}-2"},
        ],
    }


def return_body(number: int, line: str) -> dict[str, object]:
    return {"order": order_id(number), "lines": [{"line": line, "quantity": 1, "reason": "defective"}]}


def seed(base: str, platform_key: str, carrier_key: str) -> list[str]:
    """Import ORDERS orders, open and approve one return on each; answers the approved codes."""
    now = dt.datetime.now(dt.UTC)

    def import_order(number: int) -> None:
        answer = request(base, "POST", "/api/v1/orders", platform_key, order_body(number, now))
        expect(answer, 201, f"importing order {number}")

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

    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(import_order, range(ORDERS)))
        codes = list(pool.map(open_and_approve, range(ORDERS)))
    verdict = expect(request(base, "GET", f"/api/v1/codes/{codes[0]}", carrier_key), 200, "verifying a code")
    if verdict["result"] != "valid":
        raise HarnessError(f"an approved code verifies as {verdict['result']!r}, not 'valid'")
    log(f"seeded {ORDERS} orders and {len(codes)} approved returns")
    return codes


def seed_requested(base: str, platform_key: str, count: int) -> None:
    """Open ``count`` more returns (one unit of line L1, round-robin over the orders), left requested."""

    def open_one(number: int) -> None:
        expect(
            request(base, "POST", "/api/v1/returns", platform_key, return_body(number % ORDERS, "L1")),
            201,
            f"opening a return on order {number % ORDERS}",
        )

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=CONNECTIONS) as pool:
        list(pool.map(open_one, range(count)))
    log(f"seeded {count} requested returns in {time.monotonic() - started:.0f} s")


# --- other load on the machine ---------------------------------------------------------------


def _machine_jiffies() -> tuple[int, int]:
    """CPU time processes used (user, nice, system) and all CPU time so far, in clock ticks.

    Interrupt time is left out: most of it is our own loopback traffic, which no process is charged for.
    """
    user, nice, system, idle, iowait, irq, softirq, steal = (
        int(value) for value in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:9]
    )
    return user + nice + system, user + nice + system + idle + iowait + irq + softirq + steal


class CpuMeter:
    """The share of the machine's CPU that processes outside the benchmark took during a run.

    Ours are this harness and its children (wrk, pgbench), gunicorn's master and workers, and
    PostgreSQL's backends for the bench database (its name is in their process title). The
    machine may be shared: a high share means every figure of that run is depressed.
    """

    def __init__(self, *, server_pid: int, markers: tuple[str, ...]) -> None:
        self.roots = {os.getpid(), server_pid}
        self.markers = markers

    def _ours(self) -> dict[int, int]:
        """CPU ticks used so far by each of our live processes."""
        found = {}
        for entry in Path("/proc").iterdir():
            if not entry.name.isdigit():
                continue
            try:
                fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                title = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
            except OSError:  # gone meanwhile
                continue
            pid, parent = int(entry.name), int(fields[1])
            if pid in self.roots or parent in self.roots or any(marker in title for marker in self.markers):
                found[pid] = int(fields[11]) + int(fields[12])  # utime + stime
        return found

    def measure(self, action: Callable[[], T]) -> tuple[T, float]:
        """Run ``action``; answer its outcome and the other processes' share of the CPU meanwhile.

        Our processes are sampled twice a second, so one that exits (a pgbench backend) keeps
        the CPU time it had at its last sample.
        """
        baseline = self._ours()
        latest = dict(baseline)
        busy_before, total_before = _machine_jiffies()
        finished = threading.Event()

        def sample() -> None:
            while not finished.wait(0.5):
                latest.update(self._ours())

        sampler = threading.Thread(target=sample, daemon=True)
        sampler.start()
        try:
            outcome = action()
        finally:
            finished.set()
            sampler.join()
        latest.update(self._ours())
        busy_after, total_after = _machine_jiffies()
        ours = sum(ticks - baseline.get(pid, 0) for pid, ticks in latest.items())
        other = max(0, busy_after - busy_before - ours)
        return outcome, other / max(1, total_after - total_before)

    def wait_for_quiet(self) -> None:
        """Wait, up to BENCH_QUIET_WAIT seconds, for a second in which other processes leave the CPU alone."""
        deadline = time.monotonic() + QUIET_WAIT
        while True:
            _, share = self.measure(lambda: time.sleep(1))
            if share <= BUSY_WARNING:
                return
            if time.monotonic() >= deadline:
                log(f"other processes still take {share:.0%} of the CPU; measuring anyway")
                return
            time.sleep(1)


# --- wrk -------------------------------------------------------------------------------------

# Counts the answers each target must give (and the others), per thread, summed in done().
LUA_COUNTING = """
local threads = {}

function setup(thread)
  thread:set("offset", #threads)
  table.insert(threads, thread)
end

function init(args)
  expected, unexpected, first_bad = 0, 0, ""
  position = offset * math.floor(#items / %(threads)d)
end

function response(status, headers, body)
  if is_expected(status, body or "") then
    expected = expected + 1
  else
    unexpected = unexpected + 1
    if first_bad == "" then
      first_bad = status .. " " .. string.gsub(string.sub(body or "", 1, 300), "%%s+", " ")
    end
  end
end

function done(summary, latency, requests)
  local good, bad, ran_out, sample = 0, 0, 0, ""
  for _, thread in ipairs(threads) do
    good = good + thread:get("expected")
    bad = bad + thread:get("unexpected")
    ran_out = ran_out + (thread:get("exhausted") or 0)
    if sample == "" then sample = thread:get("first_bad") end
  end
  io.write(string.format("BENCH_CHECK expected=%%d unexpected=%%d exhausted=%%d\\n", good, bad, ran_out))
  if sample ~= "" then io.write("BENCH_FIRST_BAD " .. sample .. "\\n") end
end
"""


def lua_list(values: list[str]) -> str:
    return "{" + ", ".join(json.dumps(value) for value in values) + "}"


def health_script() -> str:
    return (
        "items = {}\n"
        "function is_expected(status, body) return status == 200 and string.find(body, '\"ok\"', 1, true) end\n"
        + LUA_COUNTING
        % {"threads": THREADS}
    )


def verifier_script(carrier_key: str, codes: list[str]) -> str:
    """GET /api/v1/codes/{code}, cycling over the approved codes; only 'valid' answers count."""
    return (
        f'wrk.headers["Authorization"] = {json.dumps("Bearer " + carrier_key)}\n'
        f"items = {lua_list(codes)}\n"
        "function request()\n"
        "  position = position % #items + 1\n"
        '  return wrk.format("GET", "/api/v1/codes/" .. items[position])\n'
        "end\n"
        "function is_expected(status, body)\n"
        '  return status == 200 and string.find(body, \'"result":%s*"valid"\') ~= nil\n'
        "end\n" + LUA_COUNTING % {"threads": THREADS}
    )


def create_script(platform_key: str) -> str:
    """POST /api/v1/returns for one unit of line L2, round-robin over the orders; only 201 counts."""
    bodies = [json.dumps(return_body(number, "L2")) for number in range(ORDERS)]
    return (
        f'wrk.method = "POST"\n'
        f'wrk.headers["Authorization"] = {json.dumps("Bearer " + platform_key)}\n'
        'wrk.headers["Content-Type"] = "application/json"\n'
        f"items = {lua_list(bodies)}\n"
        "function request()\n"
        "  position = position % #items + 1\n"
        "  return wrk.format(nil, nil, nil, items[position])\n"
        "end\n"
        "function is_expected(status, body) return status == 201 end\n" + LUA_COUNTING % {"threads": THREADS}
    )


def approve_script(seller_keys: dict[str, str], returns: list[tuple[str, str]]) -> str:
    """POST /api/v1/returns/{code}/approve, each code once, with the key of the return's seller; only 200 counts.

    Each wrk thread walks its own slice of the list (its connections share the thread's position),
    so no code is approved twice; a thread past the end of its slice counts it in ``exhausted`` and
    repeats its last code (answered 409, so the run is refused).
    """
    sellers = sorted(seller_keys)
    headers = ", ".join(
        f'{{["Authorization"] = {json.dumps("Bearer " + seller_keys[seller])}, ["Content-Type"] = "application/json"}}'
        for seller in sellers
    )
    index = {seller: number + 1 for number, seller in enumerate(sellers)}
    return (
        'wrk.method = "POST"\n'
        f"headers = {{{headers}}}\n"
        f"items = {lua_list([code for code, _ in returns])}\n"
        f"owners = {{{', '.join(str(index[seller]) for _, seller in returns)}}}\n"
        "function request()\n"
        f"  local last = (offset + 1) * math.floor(#items / {THREADS})\n"
        "  if position < last then\n"
        "    position = position + 1\n"
        "  else\n"
        "    exhausted = (exhausted or 0) + 1\n"
        "  end\n"
        '  return wrk.format(nil, "/api/v1/returns/" .. items[position] .. "/approve", '
        'headers[owners[position]], "{}")\n'
        "end\n"
        "function is_expected(status, body)\n"
        '  return status == 200 and string.find(body, \'"status":%s*"approved"\') ~= nil\n'
        "end\n" + LUA_COUNTING % {"threads": THREADS}
    )


@dataclass
class Result:
    name: str
    what: str
    rps: float
    p50_ms: float
    p99_ms: float
    requests: int
    unexpected: int = 0
    socket_errors: int = 0
    other_cpu: float = 0.0
    exhausted: int = 0
    attempts: int = 1


_UNITS_MS = {"us": 0.001, "ms": 1.0, "s": 1000.0}


def _latency_ms(output: str, percentile: str) -> float:
    found = re.search(rf"^\s*{percentile}%\s+([\d.]+)(us|ms|s)\s*$", output, re.MULTILINE)
    if not found:
        raise HarnessError(f"no {percentile}% latency in wrk's output:\n{output}")
    return float(found.group(1)) * _UNITS_MS[found.group(2)]


def _number(pattern: str, output: str, *, default: str | None = None) -> float:
    found = re.search(pattern, output)
    if found:
        return float(found.group(1))
    if default is not None:
        return float(default)
    raise HarnessError(f"the output has no {pattern!r}:\n{output}")


def parse_wrk(name: str, what: str, output: str) -> Result:
    errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", output)
    check = re.search(r"BENCH_CHECK expected=(\d+) unexpected=(\d+)", output)
    if not check:
        raise HarnessError(f"the wrk script for {name} reported no counts (a Lua error?):\n{output}")
    non_2xx = int(_number(r"Non-2xx or 3xx responses: (\d+)", output, default="0"))
    return Result(
        name=name,
        what=what,
        rps=_number(r"Requests/sec:\s+([\d.]+)", output),
        p50_ms=_latency_ms(output, "50"),
        p99_ms=_latency_ms(output, "99"),
        requests=int(_number(r"(\d+) requests in", output)),
        unexpected=max(int(check.group(2)), non_2xx),
        socket_errors=sum(int(n) for n in errors.groups()) if errors else 0,
        exhausted=int(_number(r"BENCH_CHECK .* exhausted=(\d+)", output, default="0")),
    )


@dataclass
class Load:
    """What drives the load: the tools, the server, and the meter of other processes' CPU."""

    wrk: str
    pgbench: str
    base: str
    database_url: str
    meter: CpuMeter

    def wrk_args(self, name: str, script: str, seconds: int) -> list[str]:
        script_path = OUT / f"{name}.lua"
        script_path.write_text(script)
        return [
            self.wrk,
            f"-t{THREADS}",
            f"-c{CONNECTIONS}",
            f"-d{seconds}s",
            "--timeout",
            "10s",
            "--latency",
            "-s",
            str(script_path),
        ]

    def warm_up(self, name: str, path: str, script: str) -> None:
        """Wait for a quiet machine, a short unmeasured run, then a pause for the requests left in flight."""
        self.meter.wait_for_quiet()
        if WARMUP_SECONDS > 0:
            run([*self.wrk_args(name, script, WARMUP_SECONDS), self.base + path], what=f"wrk warm-up of {name}")
            time.sleep(SETTLE_SECONDS)

    def measure(self, name: str, what: str, path: str, script: str) -> Result:
        """The measured wrk run (raw output kept in bench/out/)."""
        log(f"measuring {name} for {SECONDS} s")
        args = [*self.wrk_args(name, script, SECONDS), self.base + path]
        output, other_cpu = self.meter.measure(lambda: run(args, what=f"wrk run of {name}"))
        (OUT / f"{name}.wrk.txt").write_text(output)
        sample = re.search(r"BENCH_FIRST_BAD (.*)", output)
        if sample:
            log(f"{name}: first unexpected answer: {sample.group(1)}")
        result = parse_wrk(name, what, output)
        result.other_cpu = other_cpu
        return result

    def health(self) -> Result:
        script = health_script()
        self.warm_up("health", "/api/v1/health", script)
        return self.measure("health", "GET /api/v1/health (trivial)", "/api/v1/health", script)

    def verifier(self, carrier_key: str, codes: list[str]) -> Result:
        script = verifier_script(carrier_key, codes)
        self.warm_up("verifier", "/api/v1/codes", script)
        return self.measure("verifier", "GET /api/v1/codes/{code} (carrier)", "/api/v1/codes", script)

    def create(self, platform_key: str) -> Result:
        """Return creation, cross-checked against the rows the database gained meanwhile."""
        script = create_script(platform_key)
        self.warm_up("create", "/api/v1/returns", script)
        before = count_returns(self.database_url)
        result = self.measure("create", "POST /api/v1/returns (platform)", "/api/v1/returns", script)
        time.sleep(SETTLE_SECONDS)
        created = count_returns(self.database_url) - before
        answered = result.requests - result.unexpected
        # wrk stops reading at its deadline: up to one request per connection is still in flight.
        if not answered <= created <= result.requests + CONNECTIONS:
            raise HarnessError(f"wrk saw {answered} returns created, the database gained {created}")
        log(f"create: {answered} answers were 201, the database gained {created} returns")
        return result

    def approve(self, platform_key: str, seller_keys: dict[str, str]) -> Result:
        """Approval of requested returns by their sellers, cross-checked against the approve events gained.

        The returns the creation run left requested are used first; more are opened beforehand
        through the API until BENCH_APPROVE_RETURNS are available. The warm-up approves some;
        the measured run walks those still requested afterwards.
        """
        available = requested_returns(self.database_url)
        if len(available) < APPROVE_RETURNS:
            log(f"{len(available)} requested returns; opening {APPROVE_RETURNS - len(available)} more for approve")
            seed_requested(self.base, platform_key, APPROVE_RETURNS - len(available))
            available = requested_returns(self.database_url)
        path = "/api/v1/returns"
        self.warm_up("approve", path, approve_script(seller_keys, available))
        remaining = requested_returns(self.database_url)
        if len(remaining) < CONNECTIONS * THREADS:
            raise HarnessError(
                f"only {len(remaining)} requested returns left after the warm-up; raise BENCH_APPROVE_RETURNS"
            )
        before = count_events(self.database_url, "approve")
        result = self.measure(
            "approve", "POST /api/v1/returns/{code}/approve (seller)", path, approve_script(seller_keys, remaining)
        )
        if result.exhausted:
            raise HarnessError(
                f"approve: the {len(remaining)} requested returns ran out ({result.exhausted} "
                "requests repeated a code); raise BENCH_APPROVE_RETURNS"
            )
        time.sleep(SETTLE_SECONDS)
        approved = count_events(self.database_url, "approve") - before
        answered = result.requests - result.unexpected
        if not answered <= approved <= result.requests + CONNECTIONS:
            raise HarnessError(f"wrk saw {answered} returns approved, the database gained {approved} approve events")
        log(
            f"approve: {answered} answers were 200 'approved', the database gained {approved} approve events "
            f"({len(remaining)} requested returns were available)"
        )
        return result

    def _pgbench(self, name: str, what: str, mode: list[str]) -> Result:
        """One pgbench script on the bench database, 16 clients on 2 threads: a warm-up, then the measured run."""
        url = self.database_url
        common = [self.pgbench, *mode, "-n", f"-c{CONNECTIONS}", f"-j{THREADS}"]
        self.meter.wait_for_quiet()
        if WARMUP_SECONDS > 0:
            run([*common, f"-T{WARMUP_SECONDS}", url], what=f"{name} warm-up")
        log(f"measuring {name} for {SECONDS} s")
        prefix = OUT / f"{name}_log"
        for stale in OUT.glob(f"{prefix.name}.*"):  # from a measurement of this target repeated
            stale.unlink()
        output, other_cpu = self.meter.measure(
            lambda: run(
                [*common, f"-T{SECONDS}", "-l", f"--sampling-rate={PGBENCH_SAMPLING}", f"--log-prefix={prefix}", url],
                what=name,
            )
        )
        (OUT / f"{name}.txt").write_text(output)
        latencies = sorted(
            int(line.split()[2]) / 1000
            for path in OUT.glob(f"{prefix.name}.*")
            for line in path.read_text().splitlines()
            if line.strip()
        )
        if len(latencies) < 100:
            raise HarnessError(f"{name} logged only {len(latencies)} transactions:\n{output}")
        centiles = statistics.quantiles(latencies, n=100, method="inclusive")
        failed = re.search(r"number of failed transactions: (\d+)", output)
        return Result(
            name=name,
            what=what,
            rps=_number(r"tps = ([\d.]+)", output),
            p50_ms=centiles[49],
            p99_ms=centiles[98],
            requests=int(_number(r"number of transactions actually processed: (\d+)", output)),
            unexpected=int(failed.group(1)) if failed else 0,
            other_cpu=other_cpu,
        )

    def pgbench_init(self) -> None:
        log(f"pgbench -i -s {PGBENCH_SCALE}")
        run([self.pgbench, "-i", "-q", "-s", str(PGBENCH_SCALE), self.database_url], what="pgbench -i")

    def pgbench_select(self) -> Result:
        """pgbench -S (select-only) on the scale-10 data set of pgbench_init, in the bench database."""
        return self._pgbench("pgbench", f"pgbench -S (select-only, scale {PGBENCH_SCALE})", ["-S"])

    def pgbench_tpcb(self) -> Result:
        """pgbench's built-in TPC-B-like script (3 updates, a select, an insert, a commit), after -S."""
        return self._pgbench("tpcb", f"pgbench TPC-B (read-write, scale {PGBENCH_SCALE})", [])


# --- the report ------------------------------------------------------------------------------


def machine(url: str, wrk: str, pgbench: str) -> dict[str, str]:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        platform.processor() or "unknown",
    )
    with psycopg.connect(url) as conn:
        row = conn.execute("SHOW server_version").fetchone()
    wrk_version = subprocess.run([wrk, "-v"], capture_output=True, text=True, check=False).stdout.split()
    return {
        "CPUs (nproc)": str(os.cpu_count()),
        "CPU model": cpu,
        "OS": platform.platform(),
        "Python": platform.python_version(),
        "Django": metadata.version("django"),
        "django-ninja": metadata.version("django-ninja"),
        "gunicorn": metadata.version("gunicorn"),
        "PostgreSQL": str(row[0]) if row else "unknown",
        "wrk": " ".join(wrk_version[:2]) or "unknown",
        "pgbench": run([pgbench, "--version"], what="pgbench --version").strip(),
        "returndesk": revision(),
    }


def revision() -> str:
    """The commit measured, and whether the product code had uncommitted changes."""
    git = shutil.which("git")
    if git is None:
        return "unknown (no git)"
    head = subprocess.run(
        [git, "rev-parse", "--short", "HEAD"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    dirty = subprocess.run(
        [git, "status", "--porcelain", "--", "returndesk"], cwd=ROOT, capture_output=True, text=True, check=False
    ).stdout.strip()
    return f"commit {head or 'unknown'}" + (" with uncommitted changes in returndesk/" if dirty else "")


LABELS = {"tpcb": "TPC-B"}
RATIOS = (
    ("verifier", "health"),
    ("create", "health"),
    ("approve", "health"),
    ("verifier", "pgbench"),
    ("create", "pgbench"),
    ("create", "tpcb"),
    ("approve", "tpcb"),
)


def ratio_name(top: str, bottom: str) -> str:
    return f"{LABELS.get(top, top)}/{LABELS.get(bottom, bottom)}"


def ratios(results: dict[str, Result]) -> list[tuple[str, float]]:
    return [(ratio_name(top, bottom), results[top].rps / results[bottom].rps) for top, bottom in RATIOS]


def table(results: dict[str, Result]) -> str:
    rows = [
        "| Target | Requests/s | p50 (ms) | p99 (ms) | Requests | Unexpected answers | Socket errors "
        "| Other processes' CPU |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    rows += [
        f"| {r.what} | {r.rps:,.0f} | {r.p50_ms:.2f} | {r.p99_ms:.2f} | {r.requests:,} | {r.unexpected} "
        f"| {r.socket_errors} | {r.other_cpu:.0%} |"
        for r in results.values()
    ]
    return "\n".join(rows)


def verdict_line(results: dict[str, Result]) -> str:
    share = results["verifier"].rps / results["health"].rps
    outcome = "PASS" if share >= TARGET_RATIO else "FAIL"
    return (
        f"{outcome}: the verifier sustains {share:.0%} of the health endpoint's throughput "
        f"(required: at least {TARGET_RATIO:.0%})"
    )


def retries_line(results: dict[str, Result]) -> str | None:
    again = {r.name: r.attempts for r in results.values() if r.attempts > 1}
    if not again:
        return None
    return (
        "Measured again because other processes had taken more than "
        f"{BUSY_WARNING:.0%} of the CPU (measurements of the target, the last one shown): {again}."
    )


def busy_warning(results: dict[str, Result]) -> str | None:
    busy = {r.name: f"{r.other_cpu:.0%}" for r in results.values() if r.other_cpu > BUSY_WARNING}
    if not busy:
        return None
    return (
        f"Other processes took more than {BUSY_WARNING:.0%} of the machine's CPU during some runs ({busy}): "
        "those figures are depressed, and so are the ratios they enter. Re-run on a quiet machine."
    )


def setup_line() -> str:
    return (
        f"gunicorn sync workers x{WORKERS} (two per core), CONN_MAX_AGE=600, "
        f"rate-limit counters in {'Redis' if REDIS_URL else 'PostgreSQL'}; "
        f"wrk -t{THREADS} -c{CONNECTIONS} -d{SECONDS}s --latency after a {WARMUP_SECONDS} s warm-up; "
        f"pgbench -S then TPC-B, each -n -c{CONNECTIONS} -j{THREADS} -T{SECONDS} after a {WARMUP_SECONDS} s "
        f"warm-up, at scale {PGBENCH_SCALE}, same database, server defaults (synchronous_commit untouched); "
        f"{ORDERS} seeded orders, {ORDERS} approved codes, {APPROVE_RETURNS} requested returns for approve "
        f"({SELLERS} seller keys)."
    )


NOTE = """\
## What the ratios mean

- **verifier/health**: the trivial endpoint pays for gunicorn, Django's middleware and django-ninja
  but touches no database; the verifier adds authentication (cached per worker for 10 s), the read
  of the failure counters, the look-up of the return with its seller and lines, and the rendering.
  The ratio is the share of the framework's ceiling the verifier keeps; the contract asks for at
  least 40% on this machine.
- **create/health**: the same for return creation, which writes (locks the order, checks held
  quantities, inserts the return, its lines and its event, commits) and then reads the return back.
- **approve/health**: the same for one lifecycle transition: a seller approves one of its requested
  returns (locks the return, checks the lifecycle, updates it, appends its event, commits) and gets
  the return back with its timeline.
- **verifier/pgbench, create/pgbench**: pgbench -S runs one primary-key SELECT per transaction over
  persistent connections, so it is the database's own ceiling on this machine; these ratios show
  how much of it one API request costs (a request making k round trips cannot exceed about 1/k).
- **create/TPC-B, approve/TPC-B**: pgbench's built-in TPC-B-like transaction (three UPDATEs, one
  SELECT, one INSERT, one COMMIT with its WAL flush, seven round trips) over persistent connections is
  the database's own write ceiling here, with the server's default `synchronous_commit` as the
  application has it. A ratio near 1 would mean a writing endpoint costs about one such transaction;
  far below 1, its cost is outside the database's write path (Python, round trips).

Every figure comes from one run on one machine, where wrk, pgbench, gunicorn and PostgreSQL share
the same cores: they are comparable with each other, not with figures from another machine.
gunicorn's sync workers close the connection after each response, so every HTTP request (health
included) pays for a TCP connect. p50/p99 for pgbench come from a 10% sample of its transaction log.
"Other processes' CPU" is the share of the machine's CPU that processes outside the benchmark took
during each measured run (from /proc); above 10% that run's figures are depressed. What the host
does is invisible from inside a virtual machine, so figures also vary between runs with no other
process busy: judge a ratio close to the 40% line over several runs.

Every answer is checked, not just counted: "Unexpected answers" are non-2xx statuses, verifier
answers other than `"result": "valid"`, creations other than 201 and approvals other than 200 with
`"status": "approved"` (creations are also checked against the rows the database gained, approvals
against the `approve` events it gained; each code is approved once, by its seller's key). The
verifier is only asked about approved codes, so its failure rate limit never triggers: valid
answers do not count as failures. pgbench's failed transactions count as unexpected answers.
"""


# --- a series of runs (BENCH_SERIES) ---------------------------------------------------------

SERIES_TARGETS = (
    ("health", "health"),
    ("verifier", "verifier"),
    ("create", "create"),
    ("approve", "approve"),
    ("pgbench", "pgbench -S"),
    ("tpcb", "TPC-B"),
)
SERIES_RATIOS = (("verifier", "health"), ("create", "tpcb"), ("approve", "tpcb"))
SERIES_MARK = re.compile(r"^<!-- bench-series: (.*) -->$", re.MULTILINE)


def series_entry(results: dict[str, Result], info: dict[str, str], when: dt.datetime) -> dict[str, object]:
    """The key figures of this run, as kept (exactly, in a comment) in the series section of the document."""
    return {
        "when": f"{when:%Y-%m-%d %H:%M}",
        "revision": info["returndesk"],
        "rps": {name: results[name].rps for name, _ in SERIES_TARGETS},
        "other_cpu": round(max(r.other_cpu for r in results.values()), 3),
    }


def previous_series() -> tuple[str, list[dict[str, object]]]:
    """The series kept in the current document: its title and its runs (none: "", [])."""
    found = SERIES_MARK.search(DOC.read_text()) if DOC.exists() else None
    if not found:
        return "", []
    kept = json.loads(found.group(1))
    return str(kept["title"]), list(kept["runs"])


def series_section(title: str, runs: list[dict[str, object]]) -> str:
    """Each run's requests/s and key ratios, and their medians."""

    def figures(run: dict[str, object]) -> list[float]:
        rps = run["rps"]
        assert isinstance(rps, dict)
        return [float(rps[name]) for name, _ in SERIES_TARGETS] + [
            float(rps[top]) / float(rps[bottom]) for top, bottom in SERIES_RATIOS
        ]

    def cells(values: list[float]) -> list[str]:
        targets = len(SERIES_TARGETS)
        return [f"{v:,.0f}" for v in values[:targets]] + [f"{v:.3g}" for v in values[targets:]]

    header = (
        ["Run", "Measured (UTC)", "Code"]
        + [f"{label} (req/s)" for _, label in SERIES_TARGETS]
        + [ratio_name(top, bottom) for top, bottom in SERIES_RATIOS]
        + ["Other CPU (max)"]
    )
    rows = ["| " + " | ".join(header) + " |", "|---|---|---|" + "---:|" * (len(header) - 3)]
    for number, run in enumerate(runs, 1):
        revision = str(run["revision"]).removeprefix("commit ")
        rows.append(
            "| "
            + " | ".join(
                [str(number), str(run["when"]), revision, *cells(figures(run)), f"{float(str(run['other_cpu'])):.0%}"]
            )
            + " |"
        )
    columns = list(zip(*(figures(run) for run in runs), strict=True))
    medians = [statistics.median(column) for column in columns]
    rows.append("| " + " | ".join(["**median**", "", "", *(f"**{cell}**" for cell in cells(medians)), ""]) + " |")
    kept = json.dumps({"title": title, "runs": runs}, separators=(",", ":"))
    return "\n".join(
        [
            f"## {title}",
            "",
            f"{len(runs)} run(s) of `{COMMAND}` with `BENCH_SERIES={json.dumps(title)}`, one after the other (a run "
            f"during which other processes took more than {BUSY_WARNING:.0%} of the CPU is not kept); "
            "requests/s of every target and the key ratios (each run's own ratio; the median of "
            "each column over the runs). Ratios: verifier/health is the contract's 40% line; create/TPC-B and "
            "approve/TPC-B compare the writing endpoints with pgbench's TPC-B transaction in the same run. "
            "The full report of the last run follows.",
            "",
            *rows,
            "",
            f"<!-- bench-series: {kept} -->",
            "",
        ]
    )


def render(
    results: dict[str, Result], info: dict[str, str], when: dt.datetime, series: tuple[str, list[dict[str, object]]]
) -> str:
    title, runs = series
    sub = "###" if runs else "##"
    lines = ["# Benchmarks", ""]
    if runs:
        lines += [series_section(title, runs), "## The last run", ""]
    lines += [
        f"Measured on {when:%Y-%m-%d %H:%M} UTC with `{COMMAND}` (`.venv/bin/python bench/load.py`), "
        "which sets everything up, runs, and cleans up by itself.",
        "",
        f"{sub} Machine",
        "",
    ]
    lines += [f"- {key}: {value}" for key, value in info.items()]
    lines += [
        "",
        f"{sub} Setup",
        "",
        setup_line(),
        "",
        f"{sub} Results",
        "",
        table(results),
        "",
        f"{sub} Ratios",
        "",
        "| Ratio | Value |",
        "|---|---:|",
    ]
    lines += [f"| {name} | {value:.3g} ({value:.1%}) |" for name, value in ratios(results)]
    lines += ["", f"**{verdict_line(results)}.**", ""]
    again = retries_line(results)
    if again:
        lines += [again, ""]
    warning = busy_warning(results)
    if warning:
        lines += [f"Warning: {warning}", ""]
    lines.append(NOTE.replace("## ", f"{sub} ", 1))
    return "\n".join(lines)


def report(results: dict[str, Result], info: dict[str, str]) -> None:
    print()
    print(setup_line())
    print()
    print(table(results))
    print()
    for name, value in ratios(results):
        print(f"{name:<18} {value:8.3g}  ({value:.1%})")
    print()
    print(verdict_line(results))
    again = retries_line(results)
    if again:
        print(again)
    warning = busy_warning(results)
    if warning:
        print(f"warning: {warning}")
    invalid = {r.name: r.unexpected + r.socket_errors for r in results.values() if r.unexpected or r.socket_errors}
    if invalid:
        raise HarnessError(
            f"unexpected answers or socket errors {invalid}; the figures are not valid and "
            f"{DOC.relative_to(ROOT)} was not written (raw output in bench/out/)"
        )
    when = dt.datetime.now(dt.UTC)
    # A series goes on under its title and is kept, unchanged, by runs outside it.
    title, runs = previous_series()
    if SERIES and warning:
        raise DisturbedRun(
            f"this run is not added to the series {SERIES!r} and {DOC.relative_to(ROOT)} was not "
            "rewritten: run again on a quiet machine"
        )
    if SERIES:
        runs = (runs if title == SERIES else []) + [series_entry(results, info, when)]
        title = SERIES
        print()
        print(series_section(title, runs).split("<!--")[0].strip())
    DOC.parent.mkdir(exist_ok=True)
    DOC.write_text(render(results, info, when, (title, runs)))
    print(f"wrote {DOC.relative_to(ROOT)}")


# --- main ------------------------------------------------------------------------------------


def _on_signal(signum: int, _frame: object) -> None:
    signal.signal(signum, signal.SIG_IGN)  # a second signal must not interrupt the clean-up
    raise SystemExit(128 + signum)


def retried(measure_once: Callable[[], Result]) -> Result:
    """A target's measurement, repeated (up to BENCH_RETRIES times) while other processes disturbed it."""
    result = measure_once()
    for attempt in range(2, RETRIES + 2):
        if result.other_cpu <= BUSY_WARNING:
            break
        log(
            f"{result.name}: other processes took {result.other_cpu:.0%} of the CPU; measuring it again "
            f"({attempt - 1} of {RETRIES})"
        )
        result = measure_once()
        result.attempts = attempt
    return result


def measure(wrk: str, pgbench: str) -> tuple[dict[str, Result], dict[str, str]]:
    """Set up, run every target, tear down (the ExitStack unwinds on any exception or signal)."""
    with contextlib.ExitStack() as stack:
        url = stack.enter_context(bench_database())
        env = app_env(url)
        log("migrating")
        run([str(BIN / "returndesk"), "migrate", "--verbosity", "0"], env=env, what="returndesk migrate")
        platform_key, carrier_key = create_key(env, "platform"), create_key(env, "carrier")
        base, server_pid = stack.enter_context(gunicorn(env))
        info = machine(url, wrk, pgbench)  # now: the code gunicorn loaded is the code measured
        codes = seed(base, platform_key, carrier_key)
        sellers = sorted({seller_id(number) for number in range(ORDERS)})
        with ThreadPoolExecutor(max_workers=2) as pool:
            seller_keys = dict(
                zip(sellers, pool.map(lambda seller: create_key(env, "seller", seller), sellers), strict=True)
            )
        meter = CpuMeter(server_pid=server_pid, markers=(urlsplit(url).path.lstrip("/"), str(OUT)))
        load = Load(wrk=wrk, pgbench=pgbench, base=base, database_url=url, meter=meter)
        results = {
            "health": retried(load.health),
            "verifier": retried(lambda: load.verifier(carrier_key, codes)),
            "create": retried(lambda: load.create(platform_key)),
            "approve": retried(lambda: load.approve(platform_key, seller_keys)),
        }
        load.pgbench_init()
        results |= {"pgbench": retried(load.pgbench_select), "tpcb": retried(load.pgbench_tpcb)}
        return results, info


def main() -> int:
    for signum in (signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _on_signal)
    try:
        wrk = ensure_tool("wrk", "wrk")
        pgbench = ensure_tool("pgbench", "postgresql-client")
        shutil.rmtree(OUT, ignore_errors=True)
        OUT.mkdir(parents=True)
        results, info = measure(wrk, pgbench)
        report(results, info)
    except (HarnessError, OSError, psycopg.Error) as error:
        log(f"error: {error}")
        return 2
    except DisturbedRun as error:
        log(f"disturbed: {error}")
        return 3
    except KeyboardInterrupt:
        log("interrupted")
        return 130
    return 0


if __name__ == "__main__":
    sys.exit(main())
