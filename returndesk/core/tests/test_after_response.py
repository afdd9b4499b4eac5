"""Jobs held until the answer has left: run at ``request_finished``, at once outside a request."""

from __future__ import annotations

import logging
from collections.abc import Iterator

import pytest
from django.core.signals import request_finished, request_started
from django.db import close_old_connections

from returndesk.core.after_response import after_response


@pytest.fixture(autouse=True)
def _no_database_housekeeping() -> Iterator[None]:
    """The signals alone, as Django's test client sends them: without closing database connections."""
    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    yield
    request_started.connect(close_old_connections)
    request_finished.connect(close_old_connections)


def test_inside_a_request_a_job_waits_for_the_response_to_close():
    done: list[str] = []
    request_started.send(sender=None)

    after_response(lambda: done.append("first"))
    after_response(lambda: done.append("second"))
    waiting = list(done)
    request_finished.send(sender=None)

    assert (waiting, done) == ([], ["first", "second"])


def test_outside_a_request_a_job_runs_at_once():
    done: list[str] = []

    after_response(lambda: done.append("now"))

    assert done == ["now"]


def test_a_failing_job_is_logged_and_the_others_still_run(caplog: pytest.LogCaptureFixture):
    done: list[str] = []

    def fail() -> None:
        raise OSError("the mail server hung up")

    request_started.send(sender=None)
    after_response(fail)
    after_response(lambda: done.append("after"))
    with caplog.at_level(logging.ERROR, logger="returndesk.core.after_response"):
        request_finished.send(sender=None)

    assert done == ["after"]
    assert [record.exc_info[1].args for record in caplog.records if record.exc_info] == [("the mail server hung up",)]


def test_a_job_of_one_request_does_not_run_in_the_next():
    done: list[str] = []
    request_started.send(sender=None)
    after_response(lambda: done.append("late"))
    request_finished.send(sender=None)
    request_started.send(sender=None)

    request_finished.send(sender=None)

    assert done == ["late"]
