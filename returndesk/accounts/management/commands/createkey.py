from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from returndesk.accounts.models import ApiKey
from returndesk.accounts.services import apikey_create
from returndesk.core.errors import ReturndeskError
from returndesk.marketplace.models import Seller


class Command(BaseCommand):
    help = "Create an API key and print it, alone, on stdout (it is never shown again)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--role", required=True, choices=[role.value for role in ApiKey.Role])
        parser.add_argument("--seller", metavar="EXTERNAL_ID", help="the seller a seller key acts for")
        parser.add_argument("--supervisor", action="store_true", help="an agent key that may reopen returns")
        parser.add_argument(
            "--carrier",
            metavar="SLUG",
            help="the carrier a carrier key acts for (1-50 of a-z, 0-9, -); its keys share its drop-off points",
        )
        parser.add_argument("--name", default="", help="a label for people")

    def handle(self, *args: Any, **options: Any) -> None:
        seller = None
        if options["seller"]:
            seller = Seller.objects.filter(external_id=options["seller"]).first()
            if seller is None:
                raise CommandError(f"No seller with external id {options['seller']!r}.")
        try:
            api_key, plaintext = apikey_create(
                role=options["role"],
                seller=seller,
                supervisor=options["supervisor"],
                name=options["name"],
                carrier=options["carrier"],
            )
        except ReturndeskError as error:
            raise CommandError(error.detail) from error
        carrier = f" for carrier {api_key.carrier}" if api_key.role == ApiKey.Role.CARRIER else ""
        self.stderr.write(f"Created {api_key}{carrier}.")
        self.stdout.write(plaintext)
