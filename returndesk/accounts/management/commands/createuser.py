from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from returndesk.accounts.services import staff_create
from returndesk.core.actors import StaffRole
from returndesk.core.errors import ReturndeskError


class Command(BaseCommand):
    help = (
        "Create a staff member who signs in on the pages, and print their generated password, alone, "
        "on stdout (it is never shown again)."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--email", required=True, help="they sign in with it (stored lower-cased)")
        parser.add_argument("--role", required=True, choices=[role.value for role in StaffRole])
        parser.add_argument("--seller", metavar="EXTERNAL_ID", help="the seller seller staff act for")
        parser.add_argument("--carrier", metavar="SLUG", help="the carrier counter staff act for (as createkey's)")
        parser.add_argument("--point", metavar="POINT_ID", help="the drop-off point counter staff work at")
        parser.add_argument("--name", default="", help="their name, for people")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            membership, password = staff_create(
                email=options["email"],
                role=options["role"],
                name=options["name"],
                seller=options["seller"],
                carrier=options["carrier"],
                point_id=options["point"],
            )
        except ReturndeskError as error:
            raise CommandError(error.detail) from error
        self.stderr.write(f"Created {membership.role} {membership.user.username} (id {membership.user_id}).")
        self.stdout.write(password)
