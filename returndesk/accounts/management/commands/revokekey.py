from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from returndesk.accounts.services import apikey_revoke
from returndesk.core.errors import ReturndeskError


class Command(BaseCommand):
    help = "Revoke an API key by its public prefix; running servers stop honouring it within 10 seconds."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("prefix")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            api_key = apikey_revoke(prefix=options["prefix"])
        except ReturndeskError as error:
            raise CommandError(error.detail) from error
        self.stderr.write(f"Revoked {api_key} at {api_key.revoked_at:%Y-%m-%d %H:%M:%S} UTC.")
