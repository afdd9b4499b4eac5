from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from returndesk.accounts.keys import PREFIX_LENGTH, split_token
from returndesk.accounts.services import apikey_revoke
from returndesk.core.errors import ReturndeskError


def _prefix_of(key_or_prefix: str) -> str:
    """The public prefix of a whole key, or the prefix itself. Nothing longer is ever echoed:
    what follows a prefix is a secret."""
    parts = split_token(key_or_prefix)
    if parts is not None:
        return parts[0]
    if len(key_or_prefix) > PREFIX_LENGTH:
        raise CommandError(
            f"This is neither an API key nor a key's prefix (rdk_ and 8 characters, {PREFIX_LENGTH} in all)."
        )
    return key_or_prefix


class Command(BaseCommand):
    help = (
        "Revoke an API key, given whole or by its public prefix; running servers stop honouring it "
        "within 10 seconds. Only the prefix is shown."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("key", metavar="KEY_OR_PREFIX")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            api_key = apikey_revoke(prefix=_prefix_of(options["key"]))
        except ReturndeskError as error:
            raise CommandError(error.detail) from error
        self.stderr.write(f"Revoked {api_key} at {api_key.revoked_at:%Y-%m-%d %H:%M:%S} UTC.")
