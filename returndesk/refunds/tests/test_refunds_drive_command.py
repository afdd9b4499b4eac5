"""``returndesk refunds-drive`` (cron's, once) and the loop ``serve`` starts beside gunicorn."""

from __future__ import annotations

import io
import os
import sys
from datetime import timedelta
from typing import Any

from django.core.management import call_command

from returndesk.refunds.models import RefundTransaction
from returndesk.runtime.management.commands import serve
from returndesk.testing import frozen_clock

# The execution tests' scene: a refunded return, through the recording fake gateway (autouse).
from .test_execution import AT, _fake_recorded, refunded

__all__ = ["_fake_recorded", "refunded"]


def test_the_command_runs_a_lost_attempt_again_and_says_so(refunded: Any) -> None:
    _ret, refund = refunded(run=False)
    quiet, said = io.StringIO(), io.StringIO()
    with frozen_clock(AT + timedelta(minutes=1)):
        call_command("refunds-drive", stderr=quiet)
    with frozen_clock(AT + timedelta(minutes=2)):
        call_command("refunds-drive", stderr=said)

    # Nothing to do, nothing said: cron mails what a job prints.
    assert quiet.getvalue() == ""
    assert said.getvalue() == (
        "Refunds: 1 attempt(s) run again, 0 polled, 0 manual refund(s) timed out, 0 offer(s) lapsed, 0 error(s).\n"
    )
    assert RefundTransaction.objects.get(refund=refund).status == "succeeded"


def test_serve_starts_the_loop_in_a_process_that_ends_with_it(monkeypatch: Any) -> None:
    started: list[list[str]] = []

    class Started:
        def __init__(self, command: list[str]) -> None:
            started.append(command)

        def terminate(self) -> None:
            pass

    monkeypatch.setattr(serve.subprocess, "Popen", Started)
    monkeypatch.setattr(serve.atexit, "register", lambda stop: None)
    serve.Command()._refunds_drive_start()

    assert started == [
        [sys.executable, "-m", "returndesk.cli", "refunds-drive", "--every", "15", "--parent", str(os.getpid())]
    ]
