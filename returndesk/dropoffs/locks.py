"""The drop-off app's lock: a tracking number, taken before any return's row (``core.locks``).

A tracking event that finds no return waits for a handover to record its number; a handover
recording a number applies the events waiting for it. Without a lock both could look at the same
moment, each missing the other's uncommitted row, and the event would wait for ever. Both take
the number's lock first, so one of them sees the other.
"""

from __future__ import annotations

from django.db import connection

# Namespaces the advisory lock's key: (namespace, hash of the number).
_NAMESPACE = 0x7452  # "tR"


def tracking_number_lock(number: str) -> None:
    """Hold ``number``'s lock until the transaction ends. Before any return's row lock.

    PostgreSQL: a transaction-level advisory lock on the number's hash (two numbers sharing a hash
    only queue). SQLite: nothing to do, its writers queue whole (``BEGIN IMMEDIATE``).
    """
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, hashtext(%s))", [_NAMESPACE, number])
