from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest, HttpResponse
from ninja import Path, Router

from returndesk.core.api import actor_of, errors, respond
from returndesk.core.idempotency import HEADER, idempotent
from returndesk.refunds import selectors, services
from returndesk.refunds.errors import IdempotencyKeyRequired
from returndesk.refunds.schemas import KeepIn, RefundIn, RefundListOut, RefundOut
from returndesk.returns.domain import codes
from returndesk.returns.schemas import ReturnDetailOut
from returndesk.returns.selectors import return_answer_load

# Every route of the ledger under one tag: its permission matrix is its own (refunds/tests).
returns_router = Router(tags=["refunds"])
router = Router(tags=["refunds"])
# The path's ``{id}``, under a name that does not shadow Python's own.
RefundId = Annotated[int, Path(alias="id", description="The refund's id")]


@returns_router.post("/returns/{code}/refund", response={200: ReturnDetailOut, **errors(400, 403, 404, 409, 428)})
def return_refund(request: HttpRequest, code: str, payload: RefundIn | None = None) -> HttpResponse:
    """Refund the return: by default each line not rejected at inspection (its paid share less
    the restocking fee and its part of the return shipping fee, less what earlier refunds hold)
    plus the share of the order's shipping not yet refunded; or the ``lines`` and
    ``shipping_amount`` given, each within what is left of its cap.

    ``Idempotency-Key`` is required (428 ``idempotency_key_required``): a repeat answers the
    first refund. The answer is the return, its newest refund last in ``refunds``; the money
    moves after the answer's commit (each transaction ``pending``, or ``held`` above the policy's
    ``hold_refunds_above``).
    """
    actor = actor_of(request)
    key = request.headers.get(HEADER)
    if not key:
        raise IdempotencyKeyRequired(f"Send an {HEADER} header: a refund pays money, and a retry must not pay twice.")
    body = payload or RefundIn()

    def produce() -> HttpResponse:
        ret = services.return_refund(
            actor=actor,
            code=code,
            lines=body.amounts(),
            shipping_amount=body.shipping_amount,
            note=body.note,
            request_key=key,
        )
        return respond(200, ReturnDetailOut, return_answer_load(ret))

    # However the code was typed, a retry is the same request. Every refund sends a key, and its
    # gateway is called only after the commit.
    return idempotent(request, actor, produce, path=f"/api/v1/returns/{codes.normalise(code)}/refund", read_first=False)


@returns_router.post("/returns/{code}/keep", response={200: ReturnDetailOut, **errors(400, 403, 404, 409)})
def return_keep(request: HttpRequest, code: str, payload: KeepIn | None = None) -> HttpResponse:
    """Let the buyer keep the item: every line's paid share (no fee) and the shipping share are
    refunded without a parcel; the return goes to ``refunding`` with the resolution ``keep_item``."""
    actor = actor_of(request)
    body = payload or KeepIn()
    key = request.headers.get(HEADER) or ""

    def produce() -> HttpResponse:
        ret = services.return_keep(actor=actor, code=code, note=body.note, request_key=key)
        return respond(200, ReturnDetailOut, return_answer_load(ret))

    return idempotent(request, actor, produce, path=f"/api/v1/returns/{codes.normalise(code)}/keep")


@returns_router.get("/returns/{code}/refunds", response={200: RefundListOut, **errors(403, 404)})
def return_refunds(request: HttpRequest, code: str) -> HttpResponse:
    """The return's refunds, oldest first (the platform, agents, the seller's own)."""
    refunds = selectors.refunds_of_return(actor=actor_of(request), code=code)
    return respond(200, RefundListOut, {"items": refunds})


@router.get("/refunds/{id}", response={200: RefundOut, **errors(403, 404)})
def refund_get(request: HttpRequest, refund_id: RefundId) -> HttpResponse:
    """One refund, with its lines and transactions."""
    return respond(200, RefundOut, selectors.refund_get_for_actor(actor=actor_of(request), refund_id=refund_id))
