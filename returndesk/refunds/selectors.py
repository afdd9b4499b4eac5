"""Reading refunds: a return's, one by id (scoped to who asks), and what a refund form shows."""

from __future__ import annotations

import functools
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.db import connection
from django.db.models import Prefetch, QuerySet

from returndesk.core import money
from returndesk.core.access import access_require
from returndesk.core.actors import Actor, ActorKind
from returndesk.core.sql import fetch_all, quoted_table, row_to_instances, select_columns
from returndesk.marketplace.models import Order, OrderLine, Payment
from returndesk.policies.domain.reasons import Reason
from returndesk.policies.selectors import policy_version_get
from returndesk.refunds.domain import amounts
from returndesk.refunds.domain.amounts import LineMoney, ReturnMoney
from returndesk.refunds.domain.states import RefundKind
from returndesk.refunds.errors import RefundNotFound
from returndesk.refunds.models import Refund, RefundLine, RefundTransaction
from returndesk.returns.domain import codes
from returndesk.returns.domain.lifecycle import LineOutcome
from returndesk.returns.errors import ReturnNotFound
from returndesk.returns.models import Return
from returndesk.returns.selectors import held_units_sql, visible_returns

# Who reads refunds through their routes: the platform, agents, a seller's keys and staff (their
# own). Buyers see theirs in the return's answer.
READERS = (ActorKind.PLATFORM, ActorKind.AGENT, ActorKind.SELLER_KEY, ActorKind.SELLER_USER)


def refunds_answerable(refunds: QuerySet[Refund]) -> QuerySet[Refund]:
    """Everything a refund's answer reads, in two queries beside the refunds' own: the lines with
    their order lines, and the transactions with their payments."""
    return refunds.prefetch_related(
        Prefetch(
            "lines",
            queryset=RefundLine.objects.select_related("return_line__order_line").order_by("id"),
        ),
        Prefetch("transactions", queryset=RefundTransaction.objects.select_related("payment").order_by("id")),
    )


def refunds_prefetch() -> Prefetch[Any]:
    """A return's refunds, oldest first, with what their answers read (three queries)."""
    return Prefetch("refunds", queryset=refunds_answerable(Refund.objects.order_by("created_at", "id")))


def refunds_of_return(*, actor: Actor, code: str) -> list[Refund]:
    """The refunds of the return ``code`` names, oldest first; 404 ``not_found`` for a return the
    actor may not see, 403 ``forbidden`` for buyers and carriers."""
    access_require(actor, *READERS)
    # The buyer too: each transaction's expected arrival counts in the buyer's country and zone.
    ret = visible_returns(actor).select_related("order", "buyer").filter(code=codes.normalise(code)).first()
    if ret is None:
        raise ReturnNotFound()
    refunds = list(refunds_answerable(ret.refunds.order_by("created_at", "id")))
    for refund in refunds:
        refund.return_request = ret
    return refunds


def refund_get_for_actor(*, actor: Actor, refund_id: int) -> Refund:
    """One refund by id, or 404 ``not_found`` (another seller's too), 403 ``forbidden`` for
    buyers and carriers."""
    access_require(actor, *READERS)
    found = (
        refunds_answerable(Refund.objects.filter(pk=refund_id, return_request__in=visible_returns(actor)))
        .select_related("return_request__buyer")
        .first()
    )
    if found is None:
        raise RefundNotFound()
    return found


@dataclass(frozen=True)
class LinesAndPayments:
    """What the refund's amounts are computed from, read under the locks (or for a form's prefill, without)."""

    order: Order
    order_lines: dict[int, OrderLine]
    # Each order line's units held by the returns that still claim theirs (this one's included).
    held: dict[int, int]
    payments: list[Payment]


def lines_and_payments_read(order: Order, *, lock: bool) -> LinesAndPayments:
    """The order's lines (with the units its holding returns claim) and payments, by pk; ``lock``:
    locked, as a refund reads them (after the order's and the return's locks). Two prepared
    plain-SQL statements: a refund reads them every time."""
    rows = fetch_all(_lines_sql(connection.vendor, lock=lock), [*_held_params(), order.pk])
    order_lines: dict[int, OrderLine] = {}
    held: dict[int, int] = {}
    for *columns, units in rows:
        (line,) = row_to_instances(columns, OrderLine)
        assert isinstance(line, OrderLine)
        line.order = order
        order_lines[line.pk] = line
        held[line.pk] = int(units)
    payments = []
    for row in fetch_all(_payments_sql(connection.vendor, lock=lock), [order.pk]):
        (payment,) = row_to_instances(row, Payment)
        assert isinstance(payment, Payment)
        payment.order = order
        payments.append(payment)
    return LinesAndPayments(order, order_lines, held, payments)


def _held_params() -> list[str]:
    return held_units_sql("ol")[1]


@functools.cache
def _lines_sql(vendor: str, *, lock: bool) -> str:
    held, _params = held_units_sql("ol")
    # ``vendor`` keys the cache: the statement differs by database.
    clause = " FOR NO KEY UPDATE OF ol" if lock and connection.features.has_select_for_update else ""
    return (
        f"SELECT {select_columns(OrderLine, 'ol')}, {held}"  # noqa: S608
        f" FROM {quoted_table(OrderLine)} ol WHERE ol.order_id = %s ORDER BY ol.id{clause}"
    )


@functools.cache
def _payments_sql(vendor: str, *, lock: bool) -> str:
    # ``vendor`` keys the cache: the statement differs by database. Not one statement with the
    # lines': the lines are locked first, and a locking read cannot be a UNION.
    clause = " FOR NO KEY UPDATE OF p" if lock and connection.features.has_select_for_update else ""
    return (
        f"SELECT {select_columns(Payment, 'p')} FROM {quoted_table(Payment)} p"  # noqa: S608
        f" WHERE p.order_id = %s ORDER BY p.id{clause}"
    )


def return_money(ret: Return, read: LinesAndPayments) -> ReturnMoney:
    """The facts ``domain.amounts`` computes a refund on ``ret`` from (its lines read, the order's
    lines and payments locked)."""
    currency = read.order.currency
    policy = policy_version_get(version=ret.policy_id).policy
    lines = []
    for line in ret.lines.all():
        order_line = read.order_lines[line.order_line_id]
        lines.append(
            LineMoney(
                line=order_line.external_id,
                quantity=line.quantity,
                reason=Reason(line.reason),
                paid_share=minor_of(line.paid_share, currency),
                rejected=line.outcome == LineOutcome.REJECTED,
                refunded=minor_of(line.refunded, currency),
                order_line_left=minor_of(order_line.paid_amount - order_line.refunded, currency),
            )
        )
    return ReturnMoney(
        currency=currency,
        lines=tuple(lines),
        policy=policy,
        free=ret.free_return,
        eu_withdrawal=ret.eu_withdrawal,
        order_shipping=minor_of(read.order.shipping_amount, currency),
        order_paid_total=sum(minor_of(line.paid_amount, currency) for line in read.order_lines.values()),
        order_shipping_refunded=minor_of(read.order.shipping_refunded, currency),
        shipping_refunded=minor_of(ret.shipping_refunded, currency),
        leaves_order_returned=all(read.held[pk] >= line.quantity for pk, line in read.order_lines.items()),
    )


def minor_of(amount: Decimal, currency: str) -> int:
    """A stored amount (or a difference of stored amounts) in minor units; stored amounts always
    fit their currency (they were written from minor units)."""
    return money.to_minor(Decimal(amount), currency)


@dataclass(frozen=True)
class PlannedLineOut:
    return_line: int
    line: str
    paid_share: Decimal
    restocking_fee: Decimal
    return_shipping_fee: Decimal
    default: Decimal
    remaining: Decimal


@dataclass(frozen=True)
class RefundPlan:
    """What a refund form is prefilled with: per return line its default now and the cap an
    amount may reach, and the same for the shipping."""

    currency: str
    lines: tuple[PlannedLineOut, ...]
    shipping_default: Decimal
    shipping_remaining: Decimal

    @property
    def total_default(self) -> Decimal:
        return sum((line.default for line in self.lines), self.shipping_default)


def refund_plan(ret: Return) -> RefundPlan:
    """What ``refund_create`` would pay for ``ret`` by default now (kind ``refund``, no amounts
    given), without refusing when that is nothing. Reads unlocked: a form's prefill, which the
    refund checks again under its locks. ``ret`` comes with its order and lines (as a page reads it)."""
    currency = ret.order.currency
    facts = return_money(ret, lines_and_payments_read(ret.order, lock=False))
    plan = amounts.default_plan(facts, RefundKind.REFUND)
    by_line = {line.line: line for line in plan.lines}
    return_lines = {line.order_line.external_id: line for line in ret.lines.all()}

    def amount(units: int) -> Decimal:
        return money.from_minor(units, currency)

    lines = []
    for line in facts.lines:
        planned = by_line.get(line.line)
        lines.append(
            PlannedLineOut(
                return_line=return_lines[line.line].pk,
                line=line.line,
                paid_share=amount(line.paid_share),
                restocking_fee=amount(planned.restocking_fee if planned else 0),
                return_shipping_fee=amount(planned.return_shipping_fee if planned else 0),
                default=amount(planned.amount if planned else 0),
                remaining=amount(line.cap),
            )
        )
    return RefundPlan(
        currency=currency,
        lines=tuple(lines),
        shipping_default=amount(plan.shipping),
        shipping_remaining=amount(facts.shipping_cap),
    )
