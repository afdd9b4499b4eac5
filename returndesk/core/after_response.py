"""Work that waits until the answer has left: mail whose sending must not show in how long a
request took.

A request that mails only when it found something (a buyer's return codes, asked for by anyone
who knows an address) would answer later when it did, by the time the mail server takes: the
answer's bytes would be the same, its timing not. ``after_response(job)`` inside a request
holds ``job`` until Django's ``request_finished``, which the WSGI server sends once it has
written the whole answer (gunicorn calls the response's ``close()`` after the last byte; so does
Django's test client). Outside a request (a command, the demo's seeding, a test calling a
service) there is nothing to wait for, and ``job`` runs at once.

Jobs run in the request's own thread, in the order queued; one that fails is logged and the
others still run, as ``transaction.on_commit(..., robust=True)`` does.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from typing import Any

from django.core.signals import request_finished, request_started
from django.dispatch import receiver

logger = logging.getLogger(__name__)


class _Pending(threading.local):
    # None outside a request; the jobs queued so far inside one.
    jobs: list[Callable[[], None]] | None = None


_pending = _Pending()


@receiver(request_started, dispatch_uid="returndesk.core.after_response.begin")
def _begin(**_kwargs: Any) -> None:
    _pending.jobs = []


@receiver(request_finished, dispatch_uid="returndesk.core.after_response.finish")
def _finish(**_kwargs: Any) -> None:
    jobs, _pending.jobs = _pending.jobs or [], None
    for job in jobs:
        try:
            job()
        except Exception:  # a failed job must not keep the others from running
            logger.exception("A job run after the response failed: %r", job)


def after_response(job: Callable[[], None]) -> None:
    """Run ``job`` once the current request's answer has been sent; at once outside a request."""
    if _pending.jobs is None:
        job()
    else:
        _pending.jobs.append(job)
