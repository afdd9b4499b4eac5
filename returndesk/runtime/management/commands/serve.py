from __future__ import annotations

import atexit
import errno
import os
import socket
import subprocess
import sys
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from gunicorn.app.base import BaseApplication

from returndesk.core import clock
from returndesk.demo import banner, seed
from returndesk.demo.keys_file import keys_read, keys_write
from returndesk.runtime import gunicorn_conf

# How far past a busy port to look for a free one to suggest.
_PORTS_TO_SUGGEST = 20
# Embedded, ``serve`` moves pending refunds on itself (``returndesk refunds-drive``) this often.
REFUNDS_DRIVE_SECONDS = 15


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    """gunicorn with returndesk's settings (``returndesk.runtime.gunicorn_conf``), then ``options``."""

    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        configured = {name: value for name, value in vars(gunicorn_conf).items() if name in self.cfg.settings}
        for name, value in {**configured, **self.options}.items():
            self.cfg.set(name, value)

    def load(self) -> Any:
        from returndesk.wsgi import application

        return application


def _address(host: str, port: int) -> str:
    return f"[{host}]:{port}" if ":" in host else f"{host}:{port}"


def _bind_error(host: str, port: int) -> str | None:
    """Why gunicorn could not listen on (host, port), or None when it can.

    Bound with SO_REUSEADDR as gunicorn binds, so a port that only has connections in TIME_WAIT
    counts as free, as it is for gunicorn.
    """
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            probe.bind(address)
    except socket.gaierror as error:
        return str(error.strerror or error).lower()
    except OSError as error:
        if error.errno == errno.EADDRINUSE:
            return "address in use"
        return os.strerror(error.errno).lower() if error.errno else str(error)
    return None


def _free_port_after(host: str, port: int) -> int | None:
    return next(
        (
            candidate
            for candidate in range(port + 1, min(port + _PORTS_TO_SUGGEST, 65535) + 1)
            if _bind_error(host, candidate) is None
        ),
        None,
    )


class Command(BaseCommand):
    help = "Serve returndesk. Embedded (no DATABASE_URL): demo mode, seeding an empty database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--demo", action="store_true", help="seed and print demo keys with DATABASE_URL too")
        parser.add_argument("--workers", type=int, default=gunicorn_conf.workers)
        parser.add_argument("--threads", type=int, default=gunicorn_conf.threads)

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.SECRET_KEY_MISSING:
            raise CommandError("SECRET_KEY must be set when DATABASE_URL is: refusing to start.")
        host, port = options["host"], options["port"]
        self._check_bind(host, port)
        address = _address(host, port)
        base = f"http://{address}"
        self.stdout.write(f"returndesk on {base}/  API {base}/api/v1/  docs {base}/api/v1/docs  admin {base}/admin/")
        if settings.EMBEDDED or options["demo"]:
            if not settings.DEMO:
                # --demo with DATABASE_URL: the demo's mail goes to files too (see settings.DEMO);
                # the workers forked below inherit these settings.
                settings.DEMO = True
                settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
            self._demo(base)
        self.stdout.flush()
        # Forked workers must not share the master's database connection.
        connections.close_all()
        if settings.EMBEDDED:
            self._refunds_drive_start()
        _Gunicorn({"bind": [address], "workers": options["workers"], "threads": options["threads"]}).run()

    def _refunds_drive_start(self) -> None:
        """Run ``refunds-drive`` every 15 s beside gunicorn, in a process of its own (started before
        gunicorn forks its workers, so no thread of ours is forked with them), which ends with this
        one: production runs the command from cron instead."""
        command = [sys.executable, "-m", "returndesk.cli", "refunds-drive"]
        command += ["--every", str(REFUNDS_DRIVE_SECONDS), "--parent", str(os.getpid())]
        driver = subprocess.Popen(command)  # noqa: S603 - our own interpreter and command
        atexit.register(driver.terminate)

    def _check_bind(self, host: str, port: int) -> None:
        """Refuse at once, before seeding or printing anything, when gunicorn could not listen."""
        error = _bind_error(host, port)
        if error is None:
            return
        suggestion = _free_port_after(host, port) or port + 1
        self.stderr.write(
            f"Cannot listen on {_address(host, port)} ({error}); set PORT={suggestion} make run or use --port."
        )
        raise SystemExit(1)

    def _demo(self, base: str) -> None:
        if seed.demo_is_empty():
            path = keys_write(seed.demo_seed())
            self.stdout.write(f"Seeded the demo marketplace; its secrets are in {path} (mode 0600).")
        else:
            # A demo seeded before staff members existed gets them now, beside its other secrets.
            staff = seed.demo_staff_add_if_missing()
            if staff:
                path = keys_write([*(keys_read() or []), *staff])
                self.stdout.write(f"Added the demo's staff sign-ins; their passwords are in {path} (mode 0600).")
        for line in banner.banner_lines(base_url=base, now=clock.now()):
            self.stdout.write(line)
