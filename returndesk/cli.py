"""The ``returndesk`` console script: Django's management commands, with the database's migrations
in order first.

Embedded (no ``DATABASE_URL``), the SQLite file is this checkout's own, so every command applies
pending migrations before it runs. With ``DATABASE_URL`` the database is shared with other
processes and releases: migrating is a deliberate step, so every command but the migration
commands refuses while migrations are pending, naming ``returndesk migrate``.
"""

from __future__ import annotations

import os
import sys
from typing import NoReturn

# Commands about migrations themselves, or that need no database.
_MIGRATION_FREE = {
    "makemigrations",
    "migrate",
    "showmigrations",
    "sqlmigrate",
    "help",
    "version",
    "--help",
    "-h",
    "--version",
}


def _needs_no_database(command: str, arguments: list[str]) -> bool:
    """``qr-verify --keys FILE`` checks a label against a saved key list: a counter offline has
    no database to reach, nor an embedded one to migrate."""
    return command == "qr-verify" and any(arg == "--keys" or arg.startswith("--keys=") for arg in arguments)


def _pending_migrations() -> int:
    """How many migrations the default database lacks (reads ``django_migrations`` only)."""
    from django.db import DEFAULT_DB_ALIAS, connections
    from django.db.migrations.executor import MigrationExecutor

    executor = MigrationExecutor(connections[DEFAULT_DB_ALIAS])
    return len(executor.migration_plan(executor.loader.graph.leaf_nodes()))


def _refuse(message: str) -> NoReturn:
    sys.stderr.write(f"returndesk: {message}\n")
    sys.exit(1)


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "returndesk.settings")
    import django
    from django.core.management import call_command, execute_from_command_line
    from django.db import OperationalError

    argv = list(sys.argv if argv is None else argv)
    django.setup()
    from django.conf import settings

    command = argv[1] if len(argv) > 1 else "help"
    # A server that will refuse to start (no SECRET_KEY) must not touch the database first.
    refusing = command == "serve" and settings.SECRET_KEY_MISSING
    if command not in _MIGRATION_FREE and not refusing and not _needs_no_database(command, argv[2:]):
        if settings.EMBEDDED:
            call_command("migrate", interactive=False, verbosity=0)
        else:
            try:
                pending = _pending_migrations()
            except OperationalError as error:
                _refuse(f"cannot reach the database in DATABASE_URL ({str(error).strip().splitlines()[0]}).")
            if pending:
                _refuse(
                    f"the database lacks {pending} migration{'s' if pending != 1 else ''}; "
                    "run `returndesk migrate` first, then run this command again."
                )
    execute_from_command_line(["returndesk", *argv[1:]])


if __name__ == "__main__":
    main()
