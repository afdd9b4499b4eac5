from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import connections
from gunicorn.app.base import BaseApplication

from returndesk.demo import seed as demo


class _Gunicorn(BaseApplication):  # type: ignore[misc]
    def __init__(self, options: dict[str, Any]) -> None:
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        from returndesk.wsgi import application

        return application


class Command(BaseCommand):
    help = "Serve returndesk. Embedded (no DATABASE_URL): demo mode, seeding an empty database."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--port", type=int, default=8000)
        parser.add_argument("--host", default="127.0.0.1")
        parser.add_argument("--demo", action="store_true", help="seed and print demo keys with DATABASE_URL too")
        parser.add_argument("--workers", type=int, default=2)
        parser.add_argument("--threads", type=int, default=4)

    def handle(self, *args: Any, **options: Any) -> None:
        if settings.SECRET_KEY_MISSING:
            raise CommandError("SECRET_KEY must be set when DATABASE_URL is: refusing to start.")
        if settings.EMBEDDED or options["demo"]:
            self._demo()
        base = f"http://{options['host']}:{options['port']}"
        self.stdout.write(f"returndesk on {base}/  API {base}/api/v1/  docs {base}/api/v1/docs  admin {base}/admin/")
        self.stdout.flush()
        # Forked workers must not share the master's database connection.
        connections.close_all()
        _Gunicorn(
            {
                "bind": f"{options['host']}:{options['port']}",
                "workers": options["workers"],
                "threads": options["threads"],
                "worker_class": "gthread",
                "accesslog": None,
                "errorlog": "-",
                "loglevel": "warning",
                "timeout": 60,
            }
        ).run()

    def _demo(self) -> None:
        if demo.demo_is_empty():
            path = demo.keys_write(demo.demo_seed())
            self.stdout.write(f"Seeded the demo marketplace; its keys are in {path} (mode 0600).")
        path = demo.keys_file()
        if not path.exists():
            self.stdout.write(
                "The database is not empty and holds no demo keys; create some with 'returndesk createkey'."
            )
            return
        self.stdout.write("Demo keys (send as 'Authorization: Bearer <key>'):")
        for row in path.read_text().splitlines():
            role, name, secret = row.split("\t")
            self.stdout.write(f"  {role:<9} {name:<40} {secret}")
