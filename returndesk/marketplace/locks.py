"""The marketplace's row locks, taken in the order ``core.locks`` sets: an order, then its seller,
then its buyer."""

from __future__ import annotations

import functools
from collections.abc import Sequence
from typing import Any, cast

from django.db import connection

from returndesk.core.locks import locked
from returndesk.core.sql import fetch_all, quoted_table, row_to_instances, select_columns
from returndesk.marketplace.models import Buyer, Order, Seller


@functools.cache
def _order_lock_sql(vendor: str, where: str) -> str:
    # ``vendor`` keys the cache: the statement differs by database.
    lock = " FOR NO KEY UPDATE OF o" if connection.features.has_select_for_update else ""
    return (
        f"SELECT {select_columns(Order, 'o')}, {select_columns(Seller, 's')}, {select_columns(Buyer, 'b')}"  # noqa: S608
        f" FROM {quoted_table(Order)} o JOIN {quoted_table(Seller)} s ON s.id = o.seller_id"
        f" JOIN {quoted_table(Buyer)} b ON b.id = o.buyer_id WHERE {where}{lock}"
    )


def order_lock(*, external_id: str) -> Order | None:
    """Lock the order with this external id, None when there is none. Its seller and buyer are read
    along with it but not locked: whoever changes them locks them next, in their turn.

    Plain SQL: every return opened starts here, and compiling the ORM's form of this join (with
    ``select_for_update(of=...)``) cost more than running it. The lock is ``core.locks.locked``'s.
    """
    return order_lock_where("o.external_id = %s", [external_id])


def order_lock_where(where: str, params: Sequence[Any]) -> Order | None:
    """Lock the order that ``where`` picks, as ``order_lock`` does; None when it picks none.

    ``where`` is an SQL condition on the order ``o``, with a ``%s`` for each of ``params``: for a
    higher app that finds the order through a row referring to it (a return's code, a refund's
    transaction) in the lock's own statement. Its text is the statement's: a constant, never a
    value.
    """
    rows = fetch_all(_order_lock_sql(connection.vendor, where), params)
    if not rows:
        return None
    order, seller, buyer = row_to_instances(rows[0], Order, Seller, Buyer)
    order.seller, order.buyer = cast(Seller, seller), cast(Buyer, buyer)  # type: ignore[attr-defined]
    return cast(Order, order)


def seller_lock(*, external_id: str) -> Seller | None:
    """Lock a seller; hold its order's lock first, if there is one."""
    return locked(Seller.objects.filter(external_id=external_id)).first()


def buyer_lock(*, external_id: str) -> Buyer | None:
    """Lock a buyer; hold its order's and its seller's locks first, if there are any."""
    return locked(Buyer.objects.filter(external_id=external_id)).first()
