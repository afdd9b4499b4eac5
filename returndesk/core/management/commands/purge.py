from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from returndesk.core.idempotency import idempotency_purge
from returndesk.core.ratelimit import counters_purge


class Command(BaseCommand):
    help = "Delete idempotency records past 24 hours and rate-limit counters of past minutes (run hourly)."

    def handle(self, *args: Any, **options: Any) -> None:
        records, counters = idempotency_purge(), counters_purge()
        self.stderr.write(f"Purged {records} idempotency record(s) and {counters} rate counter(s).")
