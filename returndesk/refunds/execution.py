"""Running refund transactions through their gateways, and recording what the gateways answer.

A transaction is attempted after the commit of the transaction that made it pending (a refund,
a ``retry``, a ``release``), in the same request, with the idempotency key
``refund-<transaction id>-<attempt>``: the attempt number is committed before the gateway is
called, so whoever calls again for that attempt (``refunds_drive`` after a crash) sends the same
key and the gateway makes the refund once. No lock is held while a gateway is called.

A result is recorded in a transaction of its own that locks the order, the return, then the
return's transactions, this one among them (``core.locks``' order, as a refund's, in three
plain-SQL statements: ``refunds.locks``), and only if the transaction is still pending at that
attempt: a late answer to an attempt that was since confirmed, cancelled or retried changes
nothing. Each success or failure appends a ``refund_succeeded`` or ``refund_failed`` event (the
status stays), sets the return's ledger columns (``supervision``) and its deadline, and the
success that leaves every live transaction succeeded ``settle``s the return in the same
transaction (the return's row written once, both events in one statement).
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal

from django.db import connection, transaction
from django.db.models import Q

from returndesk.core import clock, money
from returndesk.core.actors import Actor, ActorKind
from returndesk.core.sql import fetch_all, insert_rows, quoted_table, row_snapshot, row_to_instances, update_row
from returndesk.core.transactions import after_commit
from returndesk.marketplace.models import Order, Payment
from returndesk.refunds import locks, offers, supervision
from returndesk.refunds.domain.states import Awaiting, TransactionStatus
from returndesk.refunds.gateways.base import GatewayResult, GatewayStatus, gateway_for
from returndesk.refunds.models import Refund, RefundTransaction
from returndesk.returns import selectors as return_selectors
from returndesk.returns import services as return_services
from returndesk.returns.domain import lifecycle
from returndesk.returns.domain.lifecycle import Action, Status
from returndesk.returns.models import Return

logger = logging.getLogger(__name__)

# Who records gateways' answers, timeouts and the settle that follows the last success.
LEDGER = Actor(kind=ActorKind.SYSTEM, id="refunds")
# An attempt with no answer recorded this long after it started was lost (a crash after the
# commit, a worker killed mid-call): the driver runs it again with the same key.
LOST_AFTER = timedelta(minutes=2)
# The failure a manual refund records when nobody confirmed it within ``manual_refund_confirm``.
CONFIRMATION_TIMEOUT = "confirmation_timeout"

# Timeline events; the return's status does not change with them.
SUCCEEDED_EVENT = "refund_succeeded"
FAILED_EVENT = "refund_failed"
HELD_EVENT = "refund_held"
RELEASED_EVENT = "refund_released"
CONFIRMED_EVENT = "refund_confirmed"
CANCELLED_EVENT = "refund_cancelled"


def idempotency_key(transaction_id: int, attempt: int) -> str:
    return f"refund-{transaction_id}-{attempt}"


def transactions_start(ids: Iterable[int]) -> None:
    """Attempt the transactions ``ids`` (pending) once the current database transaction commits;
    nothing if it rolls back. Call it inside the transaction that made them pending (a refund
    registers it through ``services.on_transactions_created``)."""
    pending = list(ids)
    if pending:
        after_commit(transactions_attempt, pending)


def transactions_attempt(ids: Sequence[int]) -> None:
    """Call each pending transaction's gateway for its current attempt and record the answer.

    A transaction made pending with no attempt numbered yet (a refund's, ``attempts`` 0) gets
    attempt 1 first, committed on its own: the key a crash's re-run sends must be this one.
    """
    for attempt in _attempts_numbered(ids, clock.now()):
        try:
            attempt_run(attempt)
        except Exception:  # after the commit, per item: the driver runs a failed attempt again
            logger.exception("refund transaction %s: the attempt after the commit failed", attempt.transaction_id)


@dataclass(frozen=True)
class Attempt:
    """What one attempt of a transaction asks its gateway."""

    transaction_id: int
    attempt: int
    # The gateway the transaction is refunded through (as created), else its payment's ``gateway``.
    gateway: str
    # The payment's reference at the gateway, and the refund's amount and currency.
    reference: str
    amount: Decimal
    currency: str

    @classmethod
    def of(cls, row: RefundTransaction) -> Attempt:
        """The current attempt of ``row``, read with its payment and refund."""
        return cls(
            row.pk,
            row.attempts,
            _gateway_of(row),
            row.payment.reference,
            row.amount,
            row.refund.currency,
        )


def _gateway_of(row: RefundTransaction) -> str:
    """The gateway ``row`` is refunded through: its own, as created, else its payment's ``gateway``."""
    return row.gateway or row.payment.gateway


@functools.cache
def _attempts_sql(vendor: str, count: int) -> str:
    # ``vendor`` keys the cache: the statement differs by database. No alias and unqualified
    # columns: SQLite's RETURNING sees neither an alias nor another table's columns, only the
    # subqueries' own tables (where ``payment_id`` and ``refund_id`` can only be the row's).
    quote = connection.ops.quote_name
    columns = ", ".join(quote(field.column) for field in RefundTransaction._meta.concrete_fields)
    payments, refunds = quoted_table(Payment), quoted_table(Refund)
    return (
        f"UPDATE {quoted_table(RefundTransaction)}"  # noqa: S608
        " SET attempts = CASE WHEN attempts = 0 THEN 1 ELSE attempts END,"
        " attempted_at = CASE WHEN attempts = 0 THEN %s ELSE attempted_at END"
        f" WHERE id IN ({', '.join(['%s'] * count)}) AND status = %s AND awaiting = %s"
        f" RETURNING {columns},"
        f" (SELECT p.gateway FROM {payments} p WHERE p.id = payment_id),"
        f" (SELECT p.reference FROM {payments} p WHERE p.id = payment_id),"
        f" (SELECT f.currency FROM {refunds} f WHERE f.id = refund_id)"
    )


def _attempts_numbered(ids: Sequence[int], now: datetime) -> list[Attempt]:
    """Of the transactions ``ids``, those pending with nothing awaited, each at its current
    attempt, in pk order; one not numbered yet (``attempts`` 0) numbered 1 from ``now``.

    One statement, committed as it runs after a commit: the numbering and what each attempt
    asks the gateway. The rows already numbered (a retry's, a release's) are written unchanged.
    """
    if not ids:
        return []
    attempted_at = RefundTransaction._meta.get_field("attempted_at").get_db_prep_save(now, connection)
    params = [attempted_at, *ids, TransactionStatus.PENDING, Awaiting.NOTHING]
    attempts = []
    for *columns, payment_gateway, reference, currency in fetch_all(_attempts_sql(connection.vendor, len(ids)), params):
        (row,) = row_to_instances(columns, RefundTransaction)
        assert isinstance(row, RefundTransaction)
        gateway = row.gateway or payment_gateway
        attempts.append(Attempt(row.pk, row.attempts, gateway, reference, row.amount, currency))
    return sorted(attempts, key=lambda attempt: attempt.transaction_id)


def attempt_run(attempt: Attempt) -> GatewayResult:
    """Ask the gateway to refund one attempt of a transaction, then record the answer."""
    gateway = gateway_for(attempt.gateway)
    result = gateway.refund(
        attempt.reference, attempt.amount, attempt.currency, idempotency_key(attempt.transaction_id, attempt.attempt)
    )
    result_record(
        transaction_id=attempt.transaction_id,
        attempt=attempt.attempt,
        result=result,
        confirmed_by_hand=gateway.confirmed_by_hand,
    )
    return result


@dataclass
class Locked:
    """A transaction's order, return and the transaction itself, locked in that order; ``read``
    is the return's ``row_snapshot`` as locked, for ``return_changed`` to write what changed;
    ``transactions`` every transaction of the return, locked with it (``row`` among them)."""

    order: Order
    ret: Return
    read: tuple[object, ...]
    row: RefundTransaction
    transactions: list[RefundTransaction]


def transaction_lock(transaction_id: int) -> Locked | None:
    """Lock the order, the return (with its lines), then every transaction of the return (each
    with its payment and refund), ``transaction_id``'s among them: three statements; None when it
    is gone. Inside an atomic block."""
    order = locks.order_of_transaction_lock(transaction_id)
    if order is None:
        return None
    ret = locks.return_of_transaction_lock(order=order, transaction_id=transaction_id)
    assert ret is not None, "a transaction's return cannot go while its order is locked"
    transactions = locks.return_transactions_lock(ret)
    row = next(row for row in transactions if row.pk == transaction_id)
    return Locked(order, ret, row_snapshot(ret), row, transactions)


def result_record(
    *,
    transaction_id: int,
    attempt: int,
    result: GatewayResult,
    confirmed_by_hand: bool = False,
    now: datetime | None = None,
) -> bool:
    """Record a gateway's answer to attempt ``attempt`` of a transaction, if the transaction is
    still pending at that attempt; whether it was recorded."""
    with transaction.atomic():
        held = transaction_lock(transaction_id)
        if held is None or held.row.status != TransactionStatus.PENDING or held.row.attempts != attempt:
            return False
        row, now = held.row, now or clock.now()
        since = row_snapshot(row)
        row.gateway_reference = result.gateway_reference or row.gateway_reference
        if result.status is GatewayStatus.PENDING:
            # Nothing the return shows changes: which answer it awaits, and the gateway's id.
            row.awaiting = Awaiting.CONFIRMATION if confirmed_by_hand else Awaiting.GATEWAY
            update_row(row, since=since)
            return True
        row.awaiting = Awaiting.NOTHING
        if result.status is GatewayStatus.SUCCEEDED:
            row.status, row.succeeded_at = TransactionStatus.SUCCEEDED, now
            event = SUCCEEDED_EVENT
        else:
            # ``attempted_at`` becomes when the attempt failed: supervision counts from there
            # (a manual refund times out days after it was asked for).
            row.status, row.attempted_at = TransactionStatus.FAILED, now
            row.failure_code, row.failure_message = result.failure_code, result.failure_message
            event = FAILED_EVENT
        update_row(row, since=since)
        return_changed(
            ret=held.ret,
            read=held.read,
            actor=LEDGER,
            event=event,
            at=now,
            data=transaction_event_data([row], attempt=attempt),
            transactions=held.transactions,
        )
    return True


def transaction_event_data(rows: Sequence[RefundTransaction], **extra: object) -> dict[str, object]:
    """What a ``refund_*`` event records: the refund, and each transaction with its amount (and,
    once failed, why)."""
    return {
        "refund": rows[0].refund_id,
        "transactions": [
            {
                "id": row.pk,
                "amount": money.format_amount(Decimal(row.amount), row.refund.currency),
                **({"failure": {"code": row.failure_code, "message": row.failure_message}} if row.failure_code else {}),
            }
            for row in rows
        ],
        **extra,
    }


def return_changed(
    *,
    ret: Return,
    read: tuple[object, ...],
    actor: Actor,
    event: str | None,
    at: datetime,
    reason: str = "",
    data: dict[str, object] | None = None,
    cancelling: bool = False,
    transactions: Sequence[RefundTransaction] | None = None,
) -> None:
    """After a change to transactions of ``ret`` (locked with its order's lock, ``read`` its
    snapshot then): append the event, set the ledger's columns and the deadline, write what changed
    on the return's row (running totals a cancel freed included), and ``settle`` when every live
    transaction has succeeded and the return is refunding (the system's action, its own event).
    ``transactions``: every transaction of ``ret`` as the change left them, when the caller
    locked them all; else they are read here.

    One UPDATE of the row and one INSERT of the events, the settle's included."""
    events = []
    if event is not None:
        events.append(
            return_services.return_event_row(ret=ret, actor=actor, action=event, at=at, reason=reason, data=data)
        )
    if transactions is None:
        transactions = supervision.return_transactions(ret)
    supervision.return_refund_columns_set(ret, transactions, now=at, cancelling=cancelling)
    if ret.status == Status.REFUNDING and ret.settled:
        # The columns first: the settle's guard reads ``settled`` from them.
        return_services.return_transition_locked(
            ret=ret, actor=LEDGER, action=Action.SETTLE, now=at, since=read, events_before=events
        )
        return
    deadline = lifecycle.next_deadline(return_selectors.return_facts(ret))
    ret.due_at, ret.due_action = (deadline.at, deadline.action) if deadline else (None, "")
    ret.updated_at = at
    update_row(ret, since=read)
    insert_rows(events)


# --- The driver -------------------------------------------------------------------------------


@dataclass
class DriveReport:
    # Attempts run again with their key after they were lost.
    rerun: int = 0
    # Refunds a gateway left pending, asked about again.
    polled: int = 0
    # Manual refunds failed ``confirmation_timeout``.
    timed_out: int = 0
    # Open offers past their expiry, lapsed (``offers.offers_lapse``).
    lapsed: int = 0
    # Items that raised: logged, left for the next run.
    errors: int = 0


def refunds_drive(now: datetime | None = None) -> DriveReport:
    """Move pending refunds on: run again, with the same key, attempts with no answer
    ``LOST_AFTER`` after they started (a crash after the commit); ask the gateway again about
    refunds it left pending; fail ``confirmation_timeout`` manual refunds nobody confirmed within
    their policy's ``clock_days.manual_refund_confirm``; lapse open offers past their expiry (until
    a later issue runs the clocks). ``returndesk refunds-drive`` runs it; ``serve`` every 15 s
    embedded; in production a cron each minute.

    Each item in a transaction of its own; one that raises is logged and left for the next run.
    """
    now = now or clock.now()
    report = DriveReport()
    pending = (
        RefundTransaction.objects.filter(status=TransactionStatus.PENDING)
        .filter(
            Q(awaiting=Awaiting.NOTHING, attempted_at__lte=now - LOST_AFTER)
            | Q(awaiting=Awaiting.NOTHING, attempted_at__isnull=True, created_at__lte=now - LOST_AFTER)
            | Q(awaiting=Awaiting.GATEWAY)
            | Q(awaiting=Awaiting.CONFIRMATION)
        )
        .select_related("payment", "refund", "refund__return_request")
        .order_by("pk")
    )
    for row in pending:
        try:
            if row.awaiting == Awaiting.CONFIRMATION:
                report.timed_out += _confirmation_timeout(row, now)
            elif row.awaiting == Awaiting.GATEWAY and row.gateway_reference:
                gateway = gateway_for(_gateway_of(row))
                result = gateway.status(row.gateway_reference)
                report.polled += 1
                if result.status is not GatewayStatus.PENDING:
                    result_record(transaction_id=row.pk, attempt=row.attempts, result=result, now=now)
            else:
                # Lost, or left pending with no id of the gateway's (a transport error): the same
                # key again, which the gateway answers without refunding twice.
                if row.attempts == 0:
                    transactions_attempt([row.pk])
                else:
                    attempt_run(Attempt.of(row))
                report.rerun += 1
        except Exception:  # a per-item sweep: one bad item must not stop the others
            logger.exception("refunds-drive: transaction %s", row.pk)
            report.errors += 1
    report.lapsed = offers.offers_lapse(now)
    return report


def _confirmation_timeout(row: RefundTransaction, now: datetime) -> int:
    policy = return_selectors.return_policy(row.refund.return_request)
    started = row.attempted_at or row.created_at
    if now < started + policy.manual_refund_confirm:
        return 0
    result = GatewayResult.failed(
        CONFIRMATION_TIMEOUT,
        f"Nobody confirmed this manual refund within {policy.manual_refund_confirm.days} days of asking for it.",
    )
    return int(result_record(transaction_id=row.pk, attempt=row.attempts, result=result, now=now))
