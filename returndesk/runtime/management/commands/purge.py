"""``returndesk purge``: every app's housekeeping deletions, run hourly (cron).

It lives in ``runtime``, the top layer, because it calls into every app: each app only offers its
own ``*_purge`` service (core may not know accounts, accounts may not know returns), and an app
that keeps short-lived rows adds its purge here.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from returndesk.accounts.services import magic_links_purge
from returndesk.core.idempotency import idempotency_purge
from returndesk.core.ratelimit import counters_purge


class Command(BaseCommand):
    help = (
        "Delete idempotency records past 24 hours, rate-limit counters past the longest window (an hour) "
        "and sign-in links a day past their expiry; run hourly."
    )

    def handle(self, *args: Any, **options: Any) -> None:
        records, counters, links = idempotency_purge(), counters_purge(), magic_links_purge()
        self.stderr.write(
            f"Purged {records} idempotency record(s), {counters} rate counter(s) and {links} sign-in link(s)."
        )
