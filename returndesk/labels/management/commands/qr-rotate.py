# ruff: noqa: N999 - the command is named as the issue spells it: `returndesk qr-verify`
from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from returndesk.labels.services import qr_key_rotate


class Command(BaseCommand):
    help = (
        "Add a QR signing key and print its kid: labels drawn from now on are signed with it; the previous "
        "key stays published until a day after the latest ship-by it signed."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        key = qr_key_rotate()
        self.stderr.write(f"Added QR key {key.kid}; new labels are signed with it.")
        self.stdout.write(key.kid)
