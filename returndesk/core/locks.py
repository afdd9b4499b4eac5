"""Row locks: every service of every app takes them in one order, so that no two transactions
ever wait on each other in a circle (on PostgreSQL that is a deadlock, and one of them fails).

The order, lowest first:

0. a tracking number (``dropoffs.locks``, an advisory lock: handovers and tracking events);
1. an order (``marketplace.Order``);
2. its seller (``marketplace.Seller``); a policy PUT locks the seller alone, or for the default's
   policy version 1's row (``policies.services.policy_put``), and inserts the next version;
3. its buyer (``marketplace.Buyer``);
4. a parcel recorded without a return (``receiving.Parcel``), when a match receives its return;
5. a return (``returns.Return``), then what hangs off it (its lines and events).
6. the order's lines, then its payments, by pk (``refunds.services``: a refund's running totals,
   after the order's and the return's locks);
7. a refund's transactions (``refunds.transactions``, ``refunds.execution``), always under the
   order's lock: confirming, cancelling or recording a gateway's answer locks them before the
   lines and payments it frees, which cannot wait in a circle while the order's lock is held first.

A service that needs several of these takes them in this order, and never one higher in the list
after one lower down. Inserting a row that refers to another counts as a lock too: PostgreSQL's
foreign-key check takes ``KEY SHARE`` on the row referred to, which waits for a ``FOR UPDATE``. So
the order import locks the order before it upserts the seller and the buyer, and opening a return
locks the order before it inserts a return that refers to the order, the seller and the buyer.

Rows that no service locks together with these (an API key, an Idempotency-Key's record, which a
request inserts before its service runs and no other request shares) stand apart. A later app
adds its rows at their place in this list.

On SQLite, the embedded database, every write transaction is ``BEGIN IMMEDIATE``: writers queue
whole, so these locks only matter on PostgreSQL, where they are row locks.
"""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)


def locked(queryset: QuerySet[M]) -> QuerySet[M]:
    """``queryset`` read with ``FOR NO KEY UPDATE OF`` its own table.

    Only its own rows: a ``select_related`` join must not lock another table's rows out of the
    order above. ``NO KEY``: a row being changed should not hold up inserts that merely refer to
    it (their ``KEY SHARE`` passes); two writers of the row still queue.
    """
    return queryset.select_for_update(of=("self",), no_key=True)
