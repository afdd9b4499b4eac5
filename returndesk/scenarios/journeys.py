"""Journeys through the real services: an order placed, a return brought to any status.

Tests, the demo and the bench set their scenes with these, so every scene is one the services
can produce. Steps whose service arrives with a later issue (expire, escalate) call
``return_transition`` with an actor the action table allows; the issue that brings the service
switches its step to it.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any

from returndesk.core.actors import SYSTEM_CLOCK, Actor, ActorKind
from returndesk.dropoffs.services import return_handover
from returndesk.marketplace.models import Order
from returndesk.marketplace.schemas import OrderIn
from returndesk.marketplace.services import order_import
from returndesk.policies.domain.reasons import Reason
from returndesk.refunds.exchanges import ExchangeLine, return_exchange
from returndesk.refunds.services import return_keep
from returndesk.returns import selectors, services
from returndesk.returns.domain.lifecycle import Action, Condition, LineOutcome, Status
from returndesk.returns.domain.requests import LineInspection, RequestedLine
from returndesk.returns.models import Return
from returndesk.scenarios.payloads import NOW, order_payload


def order_placed(*, now: datetime = NOW, **payload: Any) -> Order:
    """Import an order built by ``order_payload(**payload)`` through the import service."""
    order, _ = order_import(data=OrderIn.model_validate(order_payload(**payload)).to_import(), now=now)
    return order


def return_opened(
    *, order: Order, lines: list[RequestedLine] | None = None, actor: Actor | None = None, now: datetime = NOW
) -> Return:
    """Open a return as the platform for the buyer (one unit of L1, defective, unless told)."""
    return services.return_open(
        actor=actor or PLATFORM,
        order_external_id=order.external_id,
        lines=lines or [RequestedLine(line="L1", quantity=1, reason=Reason.DEFECTIVE)],
        now=now,
    )


# The callers journeys act as: the platform's and the clock's actions need no key of their own.
PLATFORM = Actor(kind=ActorKind.PLATFORM, id="journey")
CARRIER = Actor(kind=ActorKind.CARRIER, id="journey-carrier", carrier="journey-post")
STEP = timedelta(hours=1)


def _seller(ret: Return) -> Actor:
    return Actor(kind=ActorKind.SELLER_KEY, id="journey-seller", seller_id=ret.seller_id)


def _approve(ret: Return, at: datetime) -> Return:
    return services.return_approve(code=ret.code, actor=_seller(ret), now=at)


def _reject(ret: Return, at: datetime) -> Return:
    return services.return_reject(code=ret.code, actor=_seller(ret), reason="Not returnable.", now=at)


def _cancel(ret: Return, at: datetime) -> Return:
    return services.return_cancel(code=ret.code, actor=PLATFORM, reason="Changed plans.", now=at)


def _handover(ret: Return, at: datetime) -> Return:
    receipt = return_handover(actor=CARRIER, code=ret.code, carrier=CARRIER.carrier, point_id=None, now=at)
    return receipt.return_request


def _expire(ret: Return, at: datetime) -> Return:
    assert ret.ship_by is not None
    return services.return_transition(
        code=ret.code, actor=SYSTEM_CLOCK, action=Action.EXPIRE, now=max(at, ret.ship_by + STEP)
    )


def _receive(ret: Return, at: datetime) -> Return:
    return services.return_receive(code=ret.code, actor=_seller(ret), now=at)


def _inspect(ret: Return, at: datetime) -> Return:
    lines = [
        LineInspection(line=line.order_line.external_id, outcome=LineOutcome.ACCEPTED, condition=Condition.AS_NEW)
        for line in ret.lines.select_related("order_line")
    ]
    return services.return_inspect(code=ret.code, actor=_seller(ret), lines=lines, now=at)


def _keep(ret: Return, at: datetime) -> Return:
    return return_keep(actor=_seller(ret), code=ret.code, now=at)


def _exchange(ret: Return, at: datetime) -> Return:
    # The same items again, line by line: a replacement.
    lines = [
        ExchangeLine(line=line.order_line.external_id, variant_id=line.order_line.variant_id)
        for line in ret.lines.select_related("order_line")
    ]
    return return_exchange(code=ret.code, actor=_seller(ret), lines=lines, now=at)


def _escalate(ret: Return, at: datetime) -> Return:
    return services.return_transition(code=ret.code, actor=PLATFORM, action=Action.ESCALATE, now=at)


def _close(ret: Return, at: datetime) -> Return:
    # Nobody closes while the buyer may still escalate: wait out that window.
    at = max(at, ret.status_since + selectors.return_policy(ret).escalation_window)
    return services.return_close(code=ret.code, actor=PLATFORM, now=at)


Step = Callable[[Return, datetime], Return]
# The shortest path of actions from ``requested`` to each status the lifecycle reaches.
PATHS: dict[Status, tuple[Step, ...]] = {
    Status.REQUESTED: (),
    Status.APPROVED: (_approve,),
    Status.REJECTED: (_reject,),
    Status.CANCELLED: (_cancel,),
    Status.REFUNDING: (_keep,),
    Status.EXPIRED: (_approve, _expire),
    Status.IN_TRANSIT: (_approve, _handover),
    Status.RECEIVED: (_approve, _receive),
    Status.DISPUTED: (_reject, _escalate),
    Status.CLOSED: (_reject, _close),
    # Resolved without the ledger: settling needs refunds that succeeded (``Facts.settled``).
    Status.RESOLVED: (_approve, _receive, _inspect, _exchange),
    Status.INSPECTED: (_approve, _receive, _inspect),
}


def return_to(ret: Return, status: Status, *, now: datetime | None = None) -> Return:
    """Bring a freshly ``requested`` return to ``status`` through real service calls, one hour apart
    from ``now`` (default: an hour after the return was opened); the return as it then is."""
    if ret.status != Status.REQUESTED:
        raise ValueError(f"return_to starts from a requested return, not a {ret.status} one")
    at = now or ret.created_at + STEP
    for step in PATHS[status]:
        ret = step(ret, at)
        at = max(at, ret.updated_at) + STEP
    return ret
