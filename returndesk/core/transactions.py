"""Transactions that take no savepoint where nothing could use one.

A service runs in ``transaction.atomic()``; nested in a caller's transaction, that is a savepoint,
two more round trips, so that the caller may catch the service's error and go on. A caller that
never goes on after an error (``core.idempotency``: any error rolls its whole transaction back,
then it records the refusal in a transaction of its own) opens ``all_or_nothing()``, and the unit
of work directly inside it (``unit_of_work()``) needs no savepoint. Deeper units, or units inside
a caller that does catch, keep theirs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager

from django.db import transaction

from returndesk.core.sql import writes_queued

# On the connection: how deep its all-or-nothing block is (the number of atomic blocks open).
_DEPTH = "returndesk_all_or_nothing_depth"


@contextmanager
def all_or_nothing() -> Iterator[None]:
    """``transaction.atomic()`` for a caller that lets every error inside it roll it all back.

    Its writes may wait for the next statement (``core.sql.writes_queued``): an error inside
    drops them with the rest."""
    with transaction.atomic():
        connection = transaction.get_connection()
        outer = getattr(connection, _DEPTH, None)
        setattr(connection, _DEPTH, len(connection.atomic_blocks))
        try:
            with writes_queued():
                yield
        finally:
            setattr(connection, _DEPTH, outer)


def unit_of_work() -> transaction.Atomic:
    """``transaction.atomic()`` for a service, without a savepoint directly inside ``all_or_nothing()``.

    There an error leaves the transaction doomed (``doomed()``), and the all-or-nothing caller
    rolls it back whole; what the service must do despite the error it leaves to that caller
    (``ReturndeskError.lasting_effects``).
    """
    connection = transaction.get_connection()
    return transaction.atomic(savepoint=getattr(connection, _DEPTH, None) != len(connection.atomic_blocks))


def doomed() -> bool:
    """Whether the transaction open here can only roll back: an error left a unit of work without
    a savepoint. No statement may run in it; what must outlast the error is the caller's to redo."""
    return bool(transaction.get_connection().needs_rollback)


def after_commit(func: Callable[..., object], *args: object) -> None:
    """Run ``func(*args)`` once the transaction open here commits (at once outside one), as
    ``transaction.on_commit(..., robust=True)``: a failure is logged and what follows still runs,
    so a mail that cannot be sent never turns a committed answer into an error.

    A named callable, not a ``functools.partial``: Django names a failing callback in its log by
    ``__qualname__``, which a partial lacks, and the log line itself would raise."""

    def run() -> None:
        func(*args)

    run.__qualname__ = getattr(func, "__qualname__", repr(func))
    transaction.on_commit(run, robust=True)
