"""Offers and exchanges: a seller's partial-refund offer, the buyer's answer (the platform for
the buyer), and resolving an inspected return by exchange or replacement."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse
from ninja import Router

from returndesk.core.actors import Actor
from returndesk.core.api import actor_of, errors, respond
from returndesk.core.idempotency import HEADER, idempotent
from returndesk.refunds import exchanges, offers
from returndesk.refunds.offer_schemas import DeclineOfferIn, ExchangeIn, OfferIn
from returndesk.returns.domain import codes
from returndesk.returns.models import Return
from returndesk.returns.schemas import EmptyIn, ReturnDetailOut
from returndesk.returns.selectors import return_answer_load

router = Router(tags=["offers"])
ACTION_ERRORS = errors(400, 403, 404, 409)


def _act(request: HttpRequest, code: str, action: str, change: Callable[[Actor], Return]) -> HttpResponse:
    actor = actor_of(request)

    def produce() -> HttpResponse:
        return respond(200, ReturnDetailOut, return_answer_load(change(actor)))

    # However the code was typed, a retry is the same request.
    return idempotent(request, actor, produce, path=f"/api/v1/returns/{codes.normalise(code)}/{action}")


@router.post("/returns/{code}/offer", response={200: ReturnDetailOut, **ACTION_ERRORS})
def return_offer(request: HttpRequest, code: str, payload: OfferIn) -> HttpResponse:
    """Offer the buyer a partial refund instead (the seller, on a requested or inspected return):
    at most the remaining caps of the lines a refund could cover, three offers per return. The
    buyer has the policy's ``offer_answer`` to accept or decline; meanwhile the seller's own
    clock stands still. The answer's ``offer`` is the new one."""
    return _act(
        request,
        code,
        "offer",
        lambda actor: offers.return_offer(actor=actor, code=code, amount=payload.amount, message=payload.message),
    )


@router.post("/returns/{code}/accept_offer", response={200: ReturnDetailOut, **ACTION_ERRORS})
def return_accept_offer(request: HttpRequest, code: str, payload: EmptyIn | None = None) -> HttpResponse:
    """Accept the open offer for the buyer: its amount is refunded (a refund of kind ``offer``,
    spread over the lines by their caps) and the return goes to ``refunding``,
    ``partial_refund``. An offer past its expiry is never accepted (409 ``no_open_offer``)."""
    key = request.headers.get(HEADER, "")
    return _act(
        request,
        code,
        "accept_offer",
        lambda actor: offers.return_accept_offer(actor=actor, code=code, request_key=key),
    )


@router.post("/returns/{code}/decline_offer", response={200: ReturnDetailOut, **ACTION_ERRORS})
def return_decline_offer(request: HttpRequest, code: str, payload: DeclineOfferIn | None = None) -> HttpResponse:
    """Decline the open offer for the buyer; the seller's clock resumes."""
    reason = payload.reason if payload else ""
    return _act(
        request,
        code,
        "decline_offer",
        lambda actor: offers.return_decline_offer(actor=actor, code=code, reason=reason),
    )


@router.post("/returns/{code}/exchange", response={200: ReturnDetailOut, **ACTION_ERRORS})
def return_exchange(request: HttpRequest, code: str, payload: ExchangeIn) -> HttpResponse:
    """Resolve an inspected return by sending, for every accepted line, the variant named:
    ``replacement`` when each is the line's own, else ``exchange``."""
    return _act(
        request,
        code,
        "exchange",
        lambda actor: exchanges.return_exchange(actor=actor, code=code, lines=payload.exchange_lines()),
    )
