"""Services for refund transactions once made: confirm, retry, release, cancel.

Each locks the order, the return, then the refund's transactions (the order a refund and a
gateway's answer lock in), changes the transactions it names (``transaction``) or every one in
the state it needs, appends its timeline event, sets the return's ledger columns and deadline
(``execution.return_changed``, which also settles the return once every live transaction has
succeeded), and starts what must run again after the commit.

Who may (the issue's table): ``confirm`` a seller's own manual refunds (their keys and managers),
and customer service's agents manual or failed ones (paid another way); ``retry`` failed ones:
the seller, the platform, agents; ``release`` held ones and ``cancel`` held or failed ones:
agents. Warehouse staff confirm and retry nothing (403 ``forbidden_action``).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from django.db import transaction

from returndesk.core import clock
from returndesk.core.access import access_require
from returndesk.core.actors import Actor, ActorKind, StaffRole
from returndesk.core.errors import ForbiddenAction
from returndesk.core.sql import row_snapshot
from returndesk.marketplace.models import Order
from returndesk.refunds import execution, locks, services
from returndesk.refunds.domain.states import Awaiting, TransactionStatus
from returndesk.refunds.errors import (
    RefundNotCancellable,
    RefundNotConfirmable,
    RefundNotFound,
    RefundNotHeld,
    RefundNotRetryable,
    TransactionNotFound,
)
from returndesk.refunds.models import Refund, RefundTransaction
from returndesk.refunds.selectors import refunds_answerable
from returndesk.returns.errors import ReasonRequired
from returndesk.returns.models import Return

MANUAL = "manual"
_SELLERS = (ActorKind.SELLER_KEY, ActorKind.SELLER_USER)


@dataclass
class _Held:
    order: Order
    ret: Return
    read: tuple[object, ...]
    refund: Refund
    # The refund's transactions, and every one of the return (for its ledger columns).
    rows: list[RefundTransaction]
    transactions: list[RefundTransaction]


def _refund_lock(actor: Actor, refund_id: int) -> _Held:
    """Lock the refund's order, its return (with its lines) and the return's transactions, in
    that order; 404 ``not_found`` for a refund the actor may not see (another seller's)."""
    order = locks.order_of_refund_lock(actor=actor, refund_id=refund_id)
    if order is None:
        raise RefundNotFound()
    ret = locks.return_of_refund_lock(order=order, refund_id=refund_id)
    assert ret is not None, "a refund's return cannot go while its order is locked"
    transactions = locks.return_transactions_lock(ret)
    # Every refund has a transaction: its total is positive, drawn from the order's payments.
    rows = [row for row in transactions if row.refund_id == refund_id]
    return _Held(order, ret, row_snapshot(ret), rows[0].refund, rows, transactions)


def _chosen(
    held: _Held,
    transaction_id: int | None,
    wanted: Callable[[RefundTransaction], bool],
    refused: Exception,
) -> list[RefundTransaction]:
    """The transaction ``transaction_id`` names (404 when the refund has none such), else every
    one ``wanted``; ``refused`` when none of those is in the state needed."""
    if transaction_id is not None:
        rows = [row for row in held.rows if row.pk == transaction_id]
        if not rows:
            raise TransactionNotFound(f"Refund {held.refund.pk} has no transaction {transaction_id}.")
    else:
        rows = held.rows
    chosen = [row for row in rows if wanted(row)]
    if not chosen:
        raise refused
    return chosen


def _answer(refund_id: int) -> Refund:
    """The refund as its answer reads it: return and buyer joined, lines and transactions prefetched."""
    return refunds_answerable(
        Refund.objects.filter(pk=refund_id).select_related("return_request__order", "return_request__buyer")
    ).get()


def _not_warehouse(actor: Actor, what: str) -> None:
    if actor.staff_role is StaffRole.SELLER_WAREHOUSE:
        raise ForbiddenAction(f"Warehouse staff may receive and inspect returns, not {what} refunds.")


def _saved(rows: list[RefundTransaction], *fields: str) -> None:
    for row in rows:
        row.save(update_fields=list(fields))


def refund_confirm(
    *,
    actor: Actor,
    refund_id: int,
    transaction_id: int | None = None,
    reference: str = "",
    note: str = "",
    now: datetime | None = None,
) -> Refund:
    """Record that money the gateway did not pay was paid: a manual refund the seller paid out
    (the seller's own, or an agent), or a failed one customer service paid another way (agents).
    The transactions succeed (``reference``: the payout's own reference, kept as the gateway's);
    a ``refund_confirmed`` event; the return settles when nothing else is owed.

    403 ``forbidden_action`` for the platform and warehouse staff; 409 ``refund_not_confirmable``
    when no transaction chosen is a pending manual one (or, for agents, a failed one).
    """
    access_require(actor, *_SELLERS, ActorKind.PLATFORM, ActorKind.AGENT)
    _not_warehouse(actor, "confirm")
    if actor.kind is ActorKind.PLATFORM:
        raise ForbiddenAction("Only the seller (manual refunds) and customer service confirm refunds.")
    agent = actor.kind is ActorKind.AGENT

    def confirmable(row: RefundTransaction) -> bool:
        manual_pending = row.status == TransactionStatus.PENDING and row.gateway == MANUAL
        return manual_pending or (agent and row.status == TransactionStatus.FAILED)

    with transaction.atomic():
        held = _refund_lock(actor, refund_id)
        refused = RefundNotConfirmable(
            "Only a pending manual refund can be confirmed"
            + (", or a failed one paid another way." if agent else " (by its seller or customer service).")
        )
        rows = _chosen(held, transaction_id, confirmable, refused)
        now = now or clock.now()
        for row in rows:
            row.status, row.succeeded_at, row.awaiting = TransactionStatus.SUCCEEDED, now, Awaiting.NOTHING
            row.gateway_reference = reference or row.gateway_reference
            row.failure_code = row.failure_message = ""
        _saved(rows, "status", "succeeded_at", "awaiting", "gateway_reference", "failure_code", "failure_message")
        execution.return_changed(
            ret=held.ret,
            read=held.read,
            transactions=held.transactions,
            actor=actor,
            event=execution.CONFIRMED_EVENT,
            at=now,
            reason=note,
            data=execution.transaction_event_data(rows, **({"reference": reference} if reference else {})),
        )
    return _answer(refund_id)


def _restart(rows: list[RefundTransaction], now: datetime) -> None:
    """Make ``rows`` pending on their next attempt, to run after the commit."""
    for row in rows:
        row.status, row.awaiting = TransactionStatus.PENDING, Awaiting.NOTHING
        row.attempts, row.attempted_at = row.attempts + 1, now
        row.failure_code = row.failure_message = ""
    _saved(rows, "status", "awaiting", "attempts", "attempted_at", "failure_code", "failure_message")
    execution.transactions_start([row.pk for row in rows])


def refund_retry(
    *, actor: Actor, refund_id: int, transaction_id: int | None = None, now: datetime | None = None
) -> Refund:
    """Attempt failed transactions again (their next attempt, a new idempotency key), after the
    commit; the answer shows them pending. 409 ``refund_not_retryable`` when none chosen failed."""
    access_require(actor, *_SELLERS, ActorKind.PLATFORM, ActorKind.AGENT)
    _not_warehouse(actor, "retry")
    with transaction.atomic():
        held = _refund_lock(actor, refund_id)
        failed = RefundNotRetryable("Only a failed refund transaction can be retried.")
        rows = _chosen(held, transaction_id, lambda row: row.status == TransactionStatus.FAILED, failed)
        now = now or clock.now()
        _restart(rows, now)
        execution.return_changed(
            ret=held.ret, read=held.read, actor=actor, event=None, at=now, transactions=held.transactions
        )
    return _answer(refund_id)


def refund_release(
    *, actor: Actor, refund_id: int, transaction_id: int | None = None, note: str = "", now: datetime | None = None
) -> Refund:
    """Let held transactions (a refund above the policy's ``hold_refunds_above``) go to their
    gateways, after the commit; a ``refund_released`` event. Agents only; 409 ``refund_not_held``."""
    access_require(actor, ActorKind.AGENT)
    with transaction.atomic():
        held = _refund_lock(actor, refund_id)
        not_held = RefundNotHeld("The refund has no held transaction to release.")
        rows = _chosen(held, transaction_id, lambda row: row.status == TransactionStatus.HELD, not_held)
        now = now or clock.now()
        _restart(rows, now)
        execution.return_changed(
            ret=held.ret,
            read=held.read,
            transactions=held.transactions,
            actor=actor,
            event=execution.RELEASED_EVENT,
            at=now,
            reason=note,
            data=execution.transaction_event_data(rows),
        )
    return _answer(refund_id)


def refund_cancel(
    *, actor: Actor, refund_id: int, reason: str, transaction_id: int | None = None, now: datetime | None = None
) -> Refund:
    """Cancel held or failed transactions: their amounts leave the running totals, so the caps
    are free again; a ``refund_cancelled`` event with the reason. A refunding return left with no
    live refund stays refunding, due for supervising at once, until someone refunds it again.
    Agents only; 422 ``reason_required``; 409 ``refund_not_cancellable``."""
    access_require(actor, ActorKind.AGENT)
    if not reason.strip():
        raise ReasonRequired("Say why the refund is cancelled: the seller and the buyer see the reason.")
    cancellable = (TransactionStatus.HELD, TransactionStatus.FAILED)
    with transaction.atomic():
        held = _refund_lock(actor, refund_id)
        refused = RefundNotCancellable("Only a held or failed refund transaction can be cancelled.")
        rows = _chosen(held, transaction_id, lambda row: row.status in cancellable, refused)
        now = now or clock.now()
        for row in rows:
            row.status, row.awaiting = TransactionStatus.CANCELLED, Awaiting.NOTHING
        _saved(rows, "status", "awaiting")
        services.refund_totals_release(ret=held.ret, order=held.order, refund=held.refund, cancelled=rows)
        execution.return_changed(
            ret=held.ret,
            read=held.read,
            transactions=held.transactions,
            actor=actor,
            event=execution.CANCELLED_EVENT,
            at=now,
            reason=reason,
            data=execution.transaction_event_data(rows),
            cancelling=True,
        )
    return _answer(refund_id)
