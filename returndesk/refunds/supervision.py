"""What the ledger tells the lifecycle and the buyer about a return's money: each transaction's
expected arrival, the return's ``refund_expected_by``, and the columns the lifecycle's ``Facts``
read (``money_due_at``, ``attention_at``, ``settled``); the ``refund_status`` queue filter.

Arrival dates count business days of the buyer's country (``domain.arrival``); the days per
payment method are ``settings.RETURNDESK_REFUND_DAYS``.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime

from django.conf import settings
from django.db.models import Exists, OuterRef, Q, QuerySet

from returndesk.core import clock
from returndesk.marketplace.models import Buyer
from returndesk.refunds.domain import arrival
from returndesk.refunds.domain.arrival import ExpectedArrival
from returndesk.refunds.domain.states import LIVE, Awaiting, TransactionStatus
from returndesk.refunds.models import RefundTransaction
from returndesk.returns import selectors as return_selectors
from returndesk.returns.domain.lifecycle import DueAction, Status
from returndesk.returns.extensions import ReturnExtension
from returndesk.returns.models import Return

PENDING, SUCCEEDED = TransactionStatus.PENDING, TransactionStatus.SUCCEEDED
FAILED, HELD = TransactionStatus.FAILED, TransactionStatus.HELD


def transaction_expected_arrival(transaction: RefundTransaction, buyer: Buyer) -> ExpectedArrival | None:
    """When the money of ``transaction`` may reach ``buyer``: counted from its success, or
    provisionally from its creation while it is pending; None when it is held, failed or
    cancelled (no money is on its way). Reads ``transaction.payment`` (select or prefetch it)."""
    if transaction.status == SUCCEEDED and transaction.succeeded_at is not None:
        at, provisional = transaction.succeeded_at, False
    elif transaction.status == PENDING:
        at, provisional = transaction.created_at, True
    else:
        return None
    return arrival.expected_arrival(
        transaction.payment.method,
        at,
        provisional=provisional,
        time_zone=buyer.time_zone,
        country=buyer.country,
        days_table=settings.RETURNDESK_REFUND_DAYS,
    )


def refund_expected_by(transactions: Iterable[RefundTransaction], buyer: Buyer) -> date | None:
    """The latest day the money of ``transactions`` (a return's) may arrive: the latest ``latest``
    of those on their way; None when none is."""
    arrivals = (transaction_expected_arrival(transaction, buyer) for transaction in transactions)
    return max((expected.latest for expected in arrivals if expected is not None), default=None)


def return_transactions(ret: Return) -> list[RefundTransaction]:
    """Every transaction of ``ret``'s refunds, with its payment: one query."""
    return list(RefundTransaction.objects.filter(refund__return_request=ret).select_related("payment").order_by("pk"))


def _stuck_since(transaction: RefundTransaction) -> datetime:
    """Since when a held or failed transaction has waited for someone: held from its creation,
    failed from the attempt that failed."""
    if transaction.status == FAILED and transaction.attempted_at is not None:
        return transaction.attempted_at
    return transaction.created_at


def transactions_settled(transactions: Iterable[RefundTransaction]) -> bool:
    """Live transactions exist and every one succeeded: the money is back."""
    live = [transaction for transaction in transactions if transaction.status in LIVE]
    return bool(live) and all(transaction.status == SUCCEEDED for transaction in live)


def return_refund_columns_set(
    ret: Return, transactions: Sequence[RefundTransaction], *, now: datetime, cancelling: bool = False
) -> list[str]:
    """Set ``ret``'s ``money_due_at``, ``attention_at`` and ``settled`` from its transactions (all
    of them, as they stand after the change being recorded), without saving; the names of the
    columns set. The caller holds the return's lock and then computes its deadline.

    ``attention_at`` is the earliest of: ``refund_attention`` after a transaction was held or
    failed, two business days past ``money_due_at``, and the cancel that left no live refund
    (``now`` when ``cancelling`` is that change; as it was set then on any later call).
    """
    buyer = ret.buyer
    live = [transaction for transaction in transactions if transaction.status in LIVE]
    expected_by = refund_expected_by(live, buyer)
    ret.money_due_at = arrival.money_due_at(expected_by, buyer.time_zone)
    all_cancelled_at = None
    if transactions and not live:
        all_cancelled_at = now if cancelling or ret.attention_at is None else ret.attention_at
    policy = return_selectors.return_policy(ret)
    ret.attention_at = arrival.attention_at(
        stuck_since=[_stuck_since(t) for t in live if t.status in (HELD, FAILED)],
        refund_attention=policy.refund_attention,
        refund_expected_by=expected_by,
        time_zone=buyer.time_zone,
        country=buyer.country,
        all_cancelled_at=all_cancelled_at,
    )
    ret.settled = transactions_settled(live)
    return ["money_due_at", "attention_at", "settled"]


def return_refund_overdue(ret: Return, now: datetime) -> bool:
    """Refunding past its supervise deadline: the money is late, or a refund waits too long."""
    return (
        ret.status == Status.REFUNDING
        and ret.due_action == DueAction.SUPERVISE
        and ret.due_at is not None
        and ret.due_at <= now
    )


def _with_transaction(**conditions: object) -> Exists:
    return Exists(RefundTransaction.objects.filter(refund__return_request=OuterRef("pk"), **conditions))


def returns_by_refund_status(returns: QuerySet[Return], value: str, now: datetime) -> QuerySet[Return]:
    """``GET /returns?refund_status=``: the agents' queue (a seller's own returns for a seller).

    ``held``, ``failed``: a transaction in that status; ``awaiting_confirmation``: a manual refund
    not confirmed yet; ``overdue``: refunding past its supervise deadline; ``none_live``: refunding
    with refunds, every one cancelled (it stays refunding until someone refunds it again).
    """
    match value:
        case "held" | "failed":
            return returns.filter(_with_transaction(status=value))
        case "awaiting_confirmation":
            return returns.filter(_with_transaction(status=PENDING, awaiting=Awaiting.CONFIRMATION))
        case "overdue":
            return returns.filter(status=Status.REFUNDING, due_action=DueAction.SUPERVISE, due_at__lte=now)
        case "none_live":
            return returns.filter(
                Q(status=Status.REFUNDING),
                _with_transaction(),
                ~_with_transaction(status__in=sorted(LIVE)),
            )
        case _:
            return returns.none()


# --- Members of the return's answer ------------------------------------------------------------


def _expected_by(ret: Return) -> date | None:
    # ``money_due_at`` is the end of that buyer-local day: no query for lists either.
    return arrival.expected_by_of(ret.money_due_at, ret.buyer.time_zone)


def _overdue(ret: Return) -> bool:
    return return_refund_overdue(ret, clock.now())


SUPERVISION_EXTENSIONS = (
    ReturnExtension(name="refund_expected_by", schema=date | None, resolve=_expected_by),
    ReturnExtension(name="refund_overdue", schema=bool, resolve=_overdue),
)
