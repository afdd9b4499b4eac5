# ruff: noqa: N999 - the command is named as the issue spells it: `returndesk refunds-drive`
from __future__ import annotations

import os
import time
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.db import connections

from returndesk.refunds.execution import refunds_drive


class Command(BaseCommand):
    help = (
        "Move pending refunds on: run lost attempts again with their key, ask gateways about refunds "
        "they left pending, fail manual refunds nobody confirmed in time, and lapse offers past their "
        "expiry. Run it each minute (cron); "
        "`returndesk serve` runs it every 15 seconds when embedded."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--every", type=int, default=0, help="run again every SECONDS, until stopped")
        parser.add_argument("--parent", type=int, default=0, help="with --every: stop once process PID is gone")

    def handle(self, *args: Any, **options: Any) -> None:
        every, parent = options["every"], options["parent"]
        verbose = options["verbosity"] > 1
        if every <= 0:
            self._drive(verbose=verbose)
            return
        while True:
            for _ in range(every):
                time.sleep(1)
                # ``serve`` starts this loop beside gunicorn: it ends with the server.
                if parent and os.getppid() != parent:
                    return
            self._drive(verbose=verbose)
            connections.close_all()

    def _drive(self, *, verbose: bool) -> None:
        report = refunds_drive()
        if verbose or report.rerun or report.polled or report.timed_out or report.lapsed or report.errors:
            self.stderr.write(
                f"Refunds: {report.rerun} attempt(s) run again, {report.polled} polled, "
                f"{report.timed_out} manual refund(s) timed out, {report.lapsed} offer(s) lapsed, "
                f"{report.errors} error(s)."
            )
