"""The refund ledger's row locks, in ``core.locks``' order, each taken by one plain-SQL statement.

A refund locks the order (found through the return's code, as its caller may see it), then the
return with its lines, then the order's lines and payments (``selectors.lines_and_payments_read``).
A gateway's answer, and a confirm, retry, release or cancel, lock the order and the return found
through the transaction (the refund), then every transaction of the return. Plain SQL: every
refund and every answer of a gateway takes these locks, and compiling the ORM's joins (with
``select_for_update(of=...)``) cost more than running them. The locks are ``core.locks.locked``'s
(``FOR NO KEY UPDATE``); SQLite queues whole writers instead.
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection

from returndesk.core.access import actor_scope
from returndesk.core.actors import Actor
from returndesk.core.orm import rows_known
from returndesk.core.sql import fetch_all, quoted_table, row_to_instances, select_columns
from returndesk.marketplace.locks import order_lock_where
from returndesk.marketplace.models import Order, Payment
from returndesk.refunds.models import Refund, RefundTransaction
from returndesk.returns.domain import codes
from returndesk.returns.models import Return, ReturnLine


def _lock(*tables: str) -> str:
    return f" FOR NO KEY UPDATE OF {', '.join(tables)}" if connection.features.has_select_for_update else ""


@functools.cache
def _return_of(vendor: str, row: str) -> str:
    """An SQL condition: the return ``r`` is the one of the refund (``row`` "refund") or the
    refund transaction (``row`` "transaction") whose id is the ``%s``."""
    # ``vendor`` keys the cache: the statement differs by database.
    refunds, transactions = quoted_table(Refund), quoted_table(RefundTransaction)
    if row == "refund":
        return f"r.id = (SELECT f.return_request_id FROM {refunds} f WHERE f.id = %s)"  # noqa: S608
    return (
        f"r.id = (SELECT f.return_request_id FROM {refunds} f"  # noqa: S608
        f" JOIN {transactions} t ON t.refund_id = f.id WHERE t.id = %s)"
    )


def _order_of_return_lock(found: str, params: list[Any], actor: Actor | None = None) -> Order | None:
    """Lock the order of the return ``r`` that ``found`` (an SQL condition, its ``%s`` for
    ``params``) picks; with ``actor``, only if it may see that return (``visible_returns``)."""
    scope = None if actor is None else actor_scope(actor)
    if scope is not None:
        found += f" AND r.{connection.ops.quote_name(scope[0])} = %s"
        params = [*params, scope[1]]
    return order_lock_where(f"o.id = (SELECT r.order_id FROM {quoted_table(Return)} r WHERE {found})", params)  # noqa: S608


def order_of_return_lock(*, actor: Actor, code: str) -> Order | None:
    """Lock the order of the return ``code`` names (however typed), with its seller and buyer
    read; None when there is no such return, or ``actor`` may not see it."""
    return _order_of_return_lock("r.code = %s", [codes.normalise(code)], actor)


def order_of_refund_lock(*, actor: Actor, refund_id: int) -> Order | None:
    """Lock the order of a refund's return, with its seller and buyer read; None when there is no
    such refund, or ``actor`` may not see its return."""
    return _order_of_return_lock(_return_of(connection.vendor, "refund"), [refund_id], actor)


def order_of_transaction_lock(transaction_id: int) -> Order | None:
    """Lock the order of a refund transaction's return, with its seller and buyer read; None
    when the transaction is gone."""
    return _order_of_return_lock(_return_of(connection.vendor, "transaction"), [transaction_id])


@dataclass(frozen=True)
class LockedReturn:
    """A return locked with its lines (known to it, as a prefetch would), and the refund an
    earlier request with the key asked made on it (None: none, or no key asked)."""

    ret: Return
    refund_id: int | None


@functools.cache
def _return_lock_sql(vendor: str, where: str) -> str:
    # ``vendor`` keys the cache: the statement differs by database.
    return (
        f"SELECT {select_columns(Return, 'r')}, {select_columns(ReturnLine, 'rl')},"  # noqa: S608
        f" (SELECT f.id FROM {quoted_table(Refund)} f WHERE f.return_request_id = r.id AND f.request_key = %s)"
        f" FROM {quoted_table(Return)} r JOIN {quoted_table(ReturnLine)} rl ON rl.return_request_id = r.id"
        f" WHERE {where} ORDER BY rl.id{_lock('r', 'rl')}"
    )


def _return_lock(where: str, params: Sequence[Any], *, order: Order, request_key: str = "") -> LockedReturn | None:
    """Lock the return ``where`` picks and its lines, under ``order``'s lock (the return's order,
    whose seller and buyer it is given).

    The lines are locked too: a statement that waited for the return's lock sees the return as
    the action it waited for left it, and its lines must be as fresh (an inspection's outcomes).
    Run after the order's lock, in a statement of its own, its snapshot sees every refund of the
    order committed before: a key's earlier refund is found race-free.
    """
    rows = fetch_all(_return_lock_sql(connection.vendor, where), [request_key or None, *params])
    if not rows:
        return None
    width = len(Return._meta.concrete_fields)
    (ret,) = row_to_instances(rows[0][:width], Return)
    assert isinstance(ret, Return)
    lines = []
    for row in rows:
        (line,) = row_to_instances(row[width:-1], ReturnLine)
        assert isinstance(line, ReturnLine)
        line.return_request = ret  # as a prefetch of the lines leaves them
        lines.append(line)
    rows_known(ret, lines=lines)
    ret.order = order
    # Copied from the order as the return opened: the ones read with the order's lock.
    if ret.seller_id == order.seller_id:
        ret.seller = order.seller
    if ret.buyer_id == order.buyer_id:
        ret.buyer = order.buyer
    return LockedReturn(ret, rows[0][-1])


def return_by_code_lock(*, order: Order, code: str, request_key: str = "") -> LockedReturn | None:
    """Lock the return ``code`` names (however typed) with its lines, under its order's lock."""
    return _return_lock("r.code = %s", [codes.normalise(code)], order=order, request_key=request_key)


def return_of_refund_lock(*, order: Order, refund_id: int) -> Return | None:
    """Lock the return of a refund with its lines, under its order's lock."""
    found = _return_lock(_return_of(connection.vendor, "refund"), [refund_id], order=order)
    return None if found is None else found.ret


def return_of_transaction_lock(*, order: Order, transaction_id: int) -> Return | None:
    """Lock the return of a refund transaction with its lines, under its order's lock."""
    found = _return_lock(_return_of(connection.vendor, "transaction"), [transaction_id], order=order)
    return None if found is None else found.ret


@functools.cache
def _transactions_lock_sql(vendor: str) -> str:
    # ``vendor`` keys the cache: the statement differs by database.
    return (
        f"SELECT {select_columns(RefundTransaction, 't')}, {select_columns(Payment, 'p')},"  # noqa: S608
        f" {select_columns(Refund, 'f')} FROM {quoted_table(RefundTransaction)} t"
        f" JOIN {quoted_table(Refund)} f ON f.id = t.refund_id JOIN {quoted_table(Payment)} p ON p.id = t.payment_id"
        f" WHERE f.return_request_id = %s ORDER BY t.id{_lock('t')}"
    )


def return_transactions_lock(ret: Return) -> list[RefundTransaction]:
    """Lock every transaction of ``ret``'s refunds, by pk, each with its payment and refund read
    (the refund's ``return_request`` is ``ret``), under the order's and the return's locks:
    what a transaction's change reads, and what the return's ledger columns are set from
    (``supervision.return_refund_columns_set``)."""
    refunds: dict[int, Refund] = {}
    transactions = []
    for row in fetch_all(_transactions_lock_sql(connection.vendor), [ret.pk]):
        transaction, payment, refund = row_to_instances(row, RefundTransaction, Payment, Refund)
        assert isinstance(transaction, RefundTransaction)
        assert isinstance(refund, Refund)
        refund = refunds.setdefault(refund.pk, refund)
        refund.return_request = ret
        transaction.payment, transaction.refund = payment, refund  # type: ignore[assignment]
        transactions.append(transaction)
    return transactions
