"""Refunds: pay money back on a return, exactly and within every cap, once per request.

A refund locks the order, then the return with its lines (``refunds.locks``), checks the action
in the lifecycle (``return_transition_locked``), then locks the order's lines and payments by pk;
it computes the amounts in Python with ``domain.amounts`` from what those locks read, writes the
refund, its lines, one transaction per payment drawn and the running totals (CHECK constraints
guard them too), and moves the return on with its resolution. The transactions run after commit
(``on_transactions_created``).

Every refund and keep takes this path, so it is written as the handover is: plain prepared SQL
for the locks and the writes, and no savepoint inside a keyed request (``unit_of_work``). A
default refund of one line paid by one payment: four locking reads, three inserts, five updates
(four running totals and the return) and the event (``tests/test_refund_statements.py``).
Confirm, retry, release and cancel live in ``refunds.transactions``; offers in ``refunds.offers``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from returndesk.core import clock, money
from returndesk.core.actors import Actor, Role
from returndesk.core.orm import rows_known
from returndesk.core.sql import RowChanges, insert_rows
from returndesk.core.transactions import after_commit, unit_of_work
from returndesk.marketplace.models import Order
from returndesk.policies.selectors import policy_version_get
from returndesk.refunds import locks, supervision
from returndesk.refunds.domain import amounts
from returndesk.refunds.domain.amounts import Plan
from returndesk.refunds.domain.states import RefundKind, TransactionStatus
from returndesk.refunds.errors import AmountNotRepresentable
from returndesk.refunds.models import Offer, Refund, RefundLine, RefundTransaction
from returndesk.refunds.selectors import (
    LinesAndPayments,
    lines_and_payments_read,
    minor_of,
    refunds_answerable,
    return_money,
)
from returndesk.returns import services as returns_services
from returndesk.returns.domain import lifecycle
from returndesk.returns.domain.lifecycle import Action, Resolution
from returndesk.returns.errors import ReturnNotFound
from returndesk.returns.models import Return, ReturnLine


@dataclass(frozen=True)
class LineAmount:
    """An amount to refund for one line of the return, named by its order line's external id."""

    line: str
    amount: Decimal


# The lifecycle action each kind of refund moves the return through.
ACTIONS: dict[RefundKind, Action] = {
    RefundKind.REFUND: Action.REFUND,
    RefundKind.KEEP: Action.KEEP,
    RefundKind.OFFER: Action.ACCEPT_OFFER,
}


# --- Hooks the transactions' execution fills in (``refunds.execution`` registers them) ---------

_started: list[Callable[[list[int]], None]] = []


def on_transactions_created(callback: Callable[[list[int]], None]) -> None:
    """Run ``callback(transaction ids)`` after the commit of every refund that created pending
    transactions (held ones wait for their release). Registered once, at start-up. A callback that
    fails is logged and the refund still answers: it committed, and ``refunds_drive`` runs its
    attempt again."""
    if callback not in _started:
        _started.append(callback)


def _default_gateway_name(payment_gateway: str) -> str:
    return payment_gateway or "manual"


_gateway_name: list[Callable[[str], str]] = [_default_gateway_name]


def gateway_name_register(resolve: Callable[[str], str]) -> None:
    """Name the gateway a payment's ``gateway`` value is refunded through (``manual``, ``fake``,
    ``stripe``): what a transaction records as it is created."""
    _gateway_name[0] = resolve


# --- Refund creation ---------------------------------------------------------------------------


def refund_create(
    *,
    actor: Actor,
    code: str,
    kind: Literal["refund", "keep", "offer"] | RefundKind,
    lines: Sequence[LineAmount] | None,
    shipping_amount: Decimal | None,
    note: str,
    request_key: str,
    offer: Offer | None = None,
    now: datetime | None = None,
    apply: Callable[[Return, datetime], None] | None = None,
    data: dict[str, Any] | None = None,
) -> Refund:
    """Pay back money on the return ``code`` names, and move it on (``refund``, ``keep``, or
    ``accept_offer`` for an accepted ``offer``) with its resolution.

    ``lines`` None: the default (``domain.amounts.refund_default``; an offer is spread over the
    lines by their caps); else the amounts given, and ``shipping_amount`` (None: 0 with lines,
    the default without). ``request_key`` (the Idempotency-Key or a page's form token; blank: none)
    names the request: a repeat answers the refund the first one made, and moves nothing.
    ``apply`` and ``data`` add an action's own columns and event data (an offer's answer).

    Refusals, before anything is written: 404 ``not_found``, 403 ``forbidden_action`` (warehouse
    staff, a role the action never allows), 409 ``invalid_transition``, ``nothing_to_refund``,
    ``exceeds_refundable``, ``line_not_accepted``; 422 ``zero_amount``, ``line_not_in_return``,
    ``amount_not_representable``.
    """
    refund_kind = RefundKind(kind)
    action = ACTIONS[refund_kind]
    lifecycle.ensure_staff_may(actor, action)
    lifecycle.ensure_role(action, actor.role)
    # No guard of these actions reads anomalies: the return's lock reads none.
    assert action not in lifecycle.ANOMALY_ACTIONS
    with unit_of_work():
        # The order's lock first: every refund of the order and its re-import queue here, so the
        # running totals read below are the latest and a request key is looked up race-free.
        order = locks.order_of_return_lock(actor=actor, code=code)
        if order is None:
            raise ReturnNotFound()
        found = locks.return_by_code_lock(order=order, code=code, request_key=request_key)
        assert found is not None, "a return cannot go while its order is locked"
        if found.refund_id is not None:
            return _refund_for_key(found.refund_id)
        ret = found.ret
        # Read after the locks, as ``return_transition`` does: times in the order of the commits.
        now = now or clock.now()
        written = _Written()
        event_data: dict[str, Any] = dict(data or {})

        def write(ret: Return, at: datetime) -> None:
            written.refund = _refund_write(
                ret=ret,
                order=order,
                actor=actor,
                kind=refund_kind,
                lines=lines,
                shipping_amount=shipping_amount,
                note=note,
                request_key=request_key,
                offer=offer,
                at=at,
                event_data=event_data,
            )
            if apply is not None:
                apply(ret, at)

        returns_services.return_transition_locked(
            ret=ret,
            actor=returns_services.return_recorded_actor(actor, action, ret),
            action=action,
            now=now,
            reason=note,
            data=event_data,
            apply=write,
        )
        refund = written.refund
        assert refund is not None
        refund.return_request = ret
        held = [row for row in refund.transactions.all() if row.status == TransactionStatus.HELD]
        if held:
            # After the refund's own event: held until an agent releases it (``refunds.transactions``).
            returns_services.return_event_append(
                ret=ret,
                actor=actor,
                action="refund_held",
                at=ret.updated_at,
                data={
                    "refund": refund.pk,
                    "transactions": [
                        {"id": row.pk, "amount": money.format_amount(Decimal(row.amount), refund.currency)}
                        for row in held
                    ],
                },
            )
        pending = [row.pk for row in refund.transactions.all() if row.status == TransactionStatus.PENDING]
        if pending:
            for callback in _started:
                after_commit(callback, pending)
    return refund


@dataclass
class _Written:
    refund: Refund | None = None


def _refund_for_key(refund_id: int) -> Refund:
    """The refund an earlier request with this key made on the return, with what its answer reads."""
    return (
        refunds_answerable(Refund.objects.filter(pk=refund_id))
        .select_related("return_request__order", "return_request__seller", "return_request__buyer")
        .get()
    )


def _refund_write(
    *,
    ret: Return,
    order: Order,
    actor: Actor,
    kind: RefundKind,
    lines: Sequence[LineAmount] | None,
    shipping_amount: Decimal | None,
    note: str,
    request_key: str,
    offer: Offer | None,
    at: datetime,
    event_data: dict[str, Any],
) -> Refund:
    """Under the return's lock (the lifecycle allowed the action): lock the order's lines and
    payments, plan the amounts, and write the refund and every running total."""
    currency = order.currency
    read = lines_and_payments_read(order, lock=True)
    return_lines: dict[str, ReturnLine] = {}
    for line in ret.lines.all():
        # The order's lines just locked are the return's lines' own: read once, fresh.
        line.order_line = read.order_lines[line.order_line_id]
        return_lines[line.order_line.external_id] = line
    facts = return_money(ret, read)
    if kind is RefundKind.OFFER:
        assert offer is not None, "an offer's refund names its offer"
        plan = amounts.offer_spread(facts, _minor(Decimal(offer.amount), currency, ["body", "amount"]))
    elif lines is None and shipping_amount is None:
        plan = amounts.refund_default(facts, kind)
    elif lines is None:
        assert shipping_amount is not None
        # The default lines with the shipping given.
        default = amounts.default_plan(facts, kind)
        plan = amounts.refund_explicit(
            facts,
            [(line.line, line.amount) for line in default.lines if line.amount],
            _minor(shipping_amount, currency, ["body", "shipping_amount"]),
        )
    else:
        given = [
            (line.line, _minor(line.amount, currency, ["body", "lines", index, "amount"]))
            for index, line in enumerate(lines)
        ]
        shipping = None if shipping_amount is None else _minor(shipping_amount, currency, ["body", "shipping_amount"])
        plan = amounts.refund_explicit(facts, given, shipping, agent=actor.role is Role.AGENT)
    draws = amounts.draw_payments(
        plan.total, [minor_of(payment.amount - payment.refunded, currency) for payment in read.payments]
    )
    policy = policy_version_get(version=ret.policy_id).policy
    hold_above = policy.hold_refunds_above.get(currency)
    held = amounts.is_held(plan.total, None if hold_above is None else money.to_minor(hold_above, currency))
    (refund,) = insert_rows(
        [
            Refund(
                return_request=ret,
                kind=kind,
                offer=offer,
                currency=currency,
                shipping_amount=money.from_minor(plan.shipping, currency),
                total=money.from_minor(plan.total, currency),
                note=note,
                created_at=at,
                created_by_kind=actor.kind,
                created_by_id=actor.id,
                request_key=request_key,
            )
        ]
    )
    refund_lines = insert_rows(
        [
            RefundLine(
                refund=refund,
                return_line=return_lines[line.line],
                quantity=line.quantity,
                paid_share=money.from_minor(line.paid_share, currency),
                restocking_fee=money.from_minor(line.restocking_fee, currency),
                return_shipping_fee=money.from_minor(line.return_shipping_fee, currency),
                amount=money.from_minor(line.amount, currency),
            )
            for line in plan.lines
        ]
    )
    status = TransactionStatus.HELD if held else TransactionStatus.PENDING
    transactions = insert_rows(
        [
            RefundTransaction(
                refund=refund,
                payment=payment,
                gateway=_gateway_name[0](payment.gateway),
                amount=money.from_minor(draw, currency),
                status=status,
                created_at=at,
            )
            for payment, draw in zip(read.payments, draws, strict=True)
            if draw
        ]
    )
    # Live transactions of earlier refunds hold the return's running total: none when it is zero
    # (every amount is positive). Then these are all the live ones, and the ledger's columns are
    # set from them alone: the cancelled ones count only while none is live.
    earlier_live = minor_of(ret.refunded, currency) != 0
    _totals_add(ret=ret, read=read, return_lines=return_lines, plan=plan, draws=draws)
    full_default = amounts.breakdown(facts, RefundKind.REFUND).total
    ret.resolution = amounts.resolution(
        kind,
        Resolution(ret.resolution),
        refunded=minor_of(ret.refunded, currency),
        full_default=full_default,
    )
    ret.settled = False
    event_data.update(
        {
            "refund": refund.pk,
            "kind": str(kind),
            "total": money.format_amount(Decimal(refund.total), currency),
            "currency": currency,
        }
    )
    if held:
        event_data["held"] = True
    rows_known(refund, lines=refund_lines, transactions=transactions)
    # The money's due date (provisional, from now) and when a held refund needs an agent.
    known = supervision.return_transactions(ret) if earlier_live else transactions
    supervision.return_refund_columns_set(ret, known, now=at)
    return refund


def _totals_add(
    *, ret: Return, read: LinesAndPayments, return_lines: dict[str, ReturnLine], plan: Plan, draws: list[int]
) -> None:
    """Add the refund to every running total, computed here from the values read under the locks:
    no ``F()`` or SQL sum, since SQLite keeps decimals as floats. The return's row is written by
    ``return_transition`` with its status."""
    currency = read.order.currency

    def plus(stored: Decimal, units: int) -> Decimal:
        return money.from_minor(minor_of(stored, currency) + units, currency)

    totals = RowChanges()
    for line in plan.lines:
        return_line = return_lines[line.line]
        totals.set(return_line, refunded=plus(return_line.refunded, line.amount))
        order_line = read.order_lines[return_line.order_line_id]
        totals.set(order_line, refunded=plus(order_line.refunded, line.amount))
    for payment, draw in zip(read.payments, draws, strict=True):
        totals.set(payment, refunded=plus(payment.refunded, draw))
    order = read.order
    totals.set(
        order,
        refunded=plus(order.refunded, plan.total),
        shipping_refunded=plus(order.shipping_refunded, plan.shipping),
    )
    totals.write()
    ret.refunded = plus(ret.refunded, plan.total)
    ret.shipping_refunded = plus(ret.shipping_refunded, plan.shipping)


def refund_totals_release(*, ret: Return, order: Order, refund: Refund, cancelled: Sequence[RefundTransaction]) -> None:
    """Take ``cancelled`` (transactions of ``refund`` just set ``cancelled``) off every running
    total. The caller holds the ``order``'s and the return's (``ret``) locks, in that order
    (``refunds.transactions``), and writes the return's row (``return_transition``'s ``apply``);
    the refund's lines are read, and the order's lines and payments locked, here.

    The refund's parts (its lines in pk order, then the shipping) keep what its still-live
    transactions pay, filled in order (``domain.amounts.live_parts``): a part never holds more
    after a cancel than before.
    """
    currency = refund.currency
    read = lines_and_payments_read(order, lock=True)
    refund_lines = list(refund.lines.select_related("return_line").order_by("pk"))
    parts = [minor_of(line.amount, currency) for line in refund_lines] + [minor_of(refund.shipping_amount, currency)]
    cancelled_ids = {row.pk for row in cancelled}
    every = list(refund.transactions.all())
    live_before = sum(
        minor_of(row.amount, currency)
        for row in every
        if row.pk in cancelled_ids or row.status != TransactionStatus.CANCELLED
    )
    live_after = sum(
        minor_of(row.amount, currency)
        for row in every
        if row.pk not in cancelled_ids and row.status != TransactionStatus.CANCELLED
    )
    before = amounts.live_parts(parts, live_before)
    after = amounts.live_parts(parts, live_after)

    def minus(stored: Decimal, units: int) -> Decimal:
        return money.from_minor(minor_of(stored, currency) - units, currency)

    totals = RowChanges()
    for line, held_before, held_after in zip(refund_lines, before, after, strict=False):
        freed = held_before - held_after
        return_line = line.return_line
        totals.set(return_line, refunded=minus(return_line.refunded, freed))
        order_line = read.order_lines[return_line.order_line_id]
        totals.set(order_line, refunded=minus(order_line.refunded, freed))
    shipping_freed = before[-1] - after[-1]
    payments = {payment.pk: payment for payment in read.payments}
    for row in cancelled:
        payment = payments[row.payment_id]
        totals.set(payment, refunded=minus(payment.refunded, minor_of(row.amount, currency)))
    freed_total = live_before - live_after
    totals.set(
        order,
        refunded=minus(read.order.refunded, freed_total),
        shipping_refunded=minus(read.order.shipping_refunded, shipping_freed),
    )
    totals.write()
    ret.refunded = minus(ret.refunded, freed_total)
    ret.shipping_refunded = minus(ret.shipping_refunded, shipping_freed)


def _minor(amount: Decimal, currency: str, loc: list[str | int]) -> int:
    """A client's amount in minor units, or 422 ``amount_not_representable``."""
    try:
        return money.to_minor(amount, currency)
    except ValueError:
        raise AmountNotRepresentable(
            f"{amount} has more decimals than {currency} allows.",
            errors=[{"loc": loc, "msg": f"{currency} has {money.exponent(currency)} decimals", "type": "decimals"}],
        ) from None


# --- The route-level services --------------------------------------------------------------------


def return_refund(
    *,
    actor: Actor,
    code: str,
    lines: Sequence[LineAmount] | None = None,
    shipping_amount: Decimal | None = None,
    note: str = "",
    request_key: str,
    now: datetime | None = None,
) -> Return:
    """Refund the return ``code`` names (``POST /returns/{code}/refund``, the seller's page): the
    default, or the amounts given. Answers the return, with the refund among its refunds."""
    refund = refund_create(
        actor=actor,
        code=code,
        kind=RefundKind.REFUND,
        lines=lines,
        shipping_amount=shipping_amount,
        note=note,
        request_key=request_key,
        now=now,
    )
    return refund.return_request


def return_keep(
    *, actor: Actor, code: str, note: str = "", request_key: str = "", now: datetime | None = None
) -> Return:
    """Let the buyer keep the item and refund it (``POST /returns/{code}/keep``): every line's paid
    share, no fee, and the shipping share. The return goes to ``refunding``, ``keep_item``."""
    refund = refund_create(
        actor=actor,
        code=code,
        kind=RefundKind.KEEP,
        lines=None,
        shipping_amount=None,
        note=note,
        request_key=request_key,
        now=now,
    )
    return refund.return_request
