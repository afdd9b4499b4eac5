"""Routes for refund transactions once made: confirm, retry, release, cancel (``refunds.transactions``)."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from ninja import Router

from returndesk.core.actors import Actor
from returndesk.core.api import actor_of, errors, respond
from returndesk.core.idempotency import idempotent
from returndesk.refunds import transactions
from returndesk.refunds.api import RefundId
from returndesk.refunds.models import Refund
from returndesk.refunds.schemas import RefundCancelIn, RefundConfirmIn, RefundOut, RefundReleaseIn, RefundRetryIn

router = Router(tags=["refunds"])
ACTION_ERRORS = errors(400, 403, 404, 409)


def _act(request: HttpRequest, change: Callable[[Actor], Refund]) -> HttpResponse:
    actor = actor_of(request)
    return idempotent(request, actor, lambda: respond(200, RefundOut, change(actor)))


@router.post("/refunds/{id}/confirm", response={200: RefundOut, **ACTION_ERRORS})
def refund_confirm(request: HttpRequest, refund_id: RefundId, payload: RefundConfirmIn | None = None) -> HttpResponse:
    """Record that the money was paid: a manual refund the seller paid out (the seller's own, or
    an agent), or a failed one paid another way (agents). 409 ``refund_not_confirmable``."""
    body = payload or RefundConfirmIn()
    return _act(
        request,
        lambda actor: transactions.refund_confirm(
            actor=actor, refund_id=refund_id, transaction_id=body.transaction, reference=body.reference, note=body.note
        ),
    )


@router.post("/refunds/{id}/retry", response={200: RefundOut, **ACTION_ERRORS})
def refund_retry(request: HttpRequest, refund_id: RefundId, payload: RefundRetryIn | None = None) -> HttpResponse:
    """Attempt failed transactions again (the answer shows them pending; the gateway is asked
    after the commit). 409 ``refund_not_retryable``."""
    body = payload or RefundRetryIn()
    return _act(
        request,
        lambda actor: transactions.refund_retry(actor=actor, refund_id=refund_id, transaction_id=body.transaction),
    )


@router.post("/refunds/{id}/release", response={200: RefundOut, **ACTION_ERRORS})
def refund_release(request: HttpRequest, refund_id: RefundId, payload: RefundReleaseIn | None = None) -> HttpResponse:
    """Let a held refund go to its gateways (agents). 409 ``refund_not_held``."""
    body = payload or RefundReleaseIn()
    return _act(
        request,
        lambda actor: transactions.refund_release(
            actor=actor, refund_id=refund_id, transaction_id=body.transaction, note=body.note
        ),
    )


@router.post("/refunds/{id}/cancel", response={200: RefundOut, **ACTION_ERRORS})
def refund_cancel(request: HttpRequest, refund_id: RefundId, payload: RefundCancelIn) -> HttpResponse:
    """Cancel held or failed transactions, freeing what they held of the caps (agents). 422
    ``reason_required``; 409 ``refund_not_cancellable``."""
    return _act(
        request,
        lambda actor: transactions.refund_cancel(
            actor=actor, refund_id=refund_id, transaction_id=payload.transaction, reason=payload.reason
        ),
    )
