"""The ``returndesk`` console script: Django's management commands, migrations applied first."""

from __future__ import annotations

import os
import sys

# Commands that must run against an unmigrated database, or do not need one.
_NO_MIGRATE = {"makemigrations", "migrate", "help", "version", "--help", "-h", "--version"}


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "returndesk.settings")
    import django
    from django.core.management import call_command, execute_from_command_line

    argv = list(sys.argv if argv is None else argv)
    django.setup()
    from django.conf import settings

    command = argv[1] if len(argv) > 1 else "help"
    # A server that will refuse to start (no SECRET_KEY) must not touch the database first.
    refusing = command == "serve" and settings.SECRET_KEY_MISSING
    if command not in _NO_MIGRATE and not refusing:
        call_command("migrate", interactive=False, verbosity=0)
    execute_from_command_line(["returndesk", *argv[1:]])


if __name__ == "__main__":
    main()
