"""The test toolkit's implementation: fixed time, API keys per caller, a frozen clock, concurrent calls.

Import these names from ``returndesk.testing``, which loads this module (and Django) on first use.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from datetime import datetime
from typing import TypeVar

from django.test import Client

from returndesk.accounts.selectors import actor_for_api_key
from returndesk.accounts.services import apikey_create
from returndesk.core import clock
from returndesk.core.actors import Actor
from returndesk.marketplace.models import Seller
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.extensions import return_extensions
from returndesk.returns.models import Return
from returndesk.scenarios.payloads import NOW, iso

__all__ = ["NOW", "Keys", "at_once", "extension_queries", "force_status", "frozen_clock", "iso", "mistyped"]

T = TypeVar("T")
BARRIER_TIMEOUT = 30.0


class Keys:
    """API keys and their actors for each kind of caller, created on demand."""

    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}
        self.actors: dict[str, Actor] = {}

    def make(
        self, name: str, *, role: str, seller: str | None = None, supervisor: bool = False, carrier: str | None = None
    ) -> str:
        seller_row = None
        if seller is not None:
            seller_row, _ = Seller.objects.get_or_create(
                external_id=seller, defaults={"name": f"Seller {seller}", "country": "DE", "created_at": NOW}
            )
        key, token = apikey_create(role=role, seller=seller_row, supervisor=supervisor, name=name, carrier=carrier)
        self.tokens[name], self.actors[name] = token, actor_for_api_key(key)
        return token

    def client(self, name: str | None) -> Client:
        """A test client sending this key (or none, for name None)."""
        headers = {"Authorization": f"Bearer {self.tokens[name]}"} if name else {}
        return Client(headers=headers)


@contextmanager
def frozen_clock(at: datetime) -> Iterator[datetime]:
    """Stop ``core.clock`` at ``at`` for everything the block calls, the API included."""
    clock.freeze(at)
    try:
        yield at
    finally:
        clock.freeze(None)


def at_once(count: int, call: Callable[[], T], *, on_exit: Callable[[], None] | None = None) -> list[T]:
    """Run ``call`` in ``count`` threads released together by a barrier; their results in order.

    ``on_exit`` runs in each thread when it is done: ``django.db.connections.close_all`` closes the
    thread's own database connections (``connection.close``, taken here, is the caller's).
    """
    barrier = threading.Barrier(count)

    def run(_index: int) -> T:
        try:
            barrier.wait(timeout=BARRIER_TIMEOUT)
            return call()
        finally:
            if on_exit is not None:
                on_exit()

    with ThreadPoolExecutor(max_workers=count) as pool:
        return list(pool.map(run, range(count)))


def force_status(ret: Return, status: Status, **columns: object) -> Return:
    """Write a status no path of the lifecycle reaches (e.g. closed from expired). Tests only:
    everything else goes through ``scenarios.journeys.return_to``."""
    Return.objects.filter(pk=ret.pk).update(status=status, **columns)
    ret.refresh_from_db()
    return ret


def extension_queries(*, detail: bool = True) -> int:
    """The queries a read of returns costs beyond the core answer's: what the members higher apps
    add to it (``returns.extensions``) read, whatever the number of returns; without ``detail``,
    a list's (which leaves out the members of single-return answers)."""
    return sum(extension.queries or 0 for extension in return_extensions(detail=detail))


def mistyped(code: str) -> str:
    """``code`` with its first two different neighbours swapped: a slip the check symbol catches.
    (Not simply the first two: one random code in 32 starts with a repeated symbol.)"""
    i = next(i for i in range(len(code) - 1) if code[i] != code[i + 1])
    return code[:i] + code[i + 1] + code[i] + code[i + 2 :]
