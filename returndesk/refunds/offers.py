"""Partial-refund offers: the seller proposes an amount, the buyer (or the platform for them)
accepts or declines it, or it lapses; and the keep at request.

An offer stands beside the status (requested or inspected): ``offer`` and ``decline_offer`` leave
the status as it is, ``accept_offer`` pays the amount as a refund of kind ``offer`` (spread over
the lines by their caps, ``domain.amounts.offer_spread``) and moves the return to ``refunding``,
``partial_refund``. While an offer is open the seller's clock stands still: the return's
``offer_paused`` grows by the time it was open once it closes in the same status, and the
lifecycle moves the seller's deadline by that much. Leaving the status withdraws an open offer
(``offer_withdraw``, called by ``return_transition`` through ``returns.hooks``).
"""

from __future__ import annotations

import logging
from datetime import datetime
from decimal import Decimal
from typing import Any

from returndesk.core import money
from returndesk.core.actors import Actor, ActorKind
from returndesk.core.errors import ReturndeskError
from returndesk.refunds.domain import amounts
from returndesk.refunds.domain.states import OfferState, RefundKind
from returndesk.refunds.errors import AmountNotRepresentable, OfferLimitReached
from returndesk.refunds.models import Offer
from returndesk.refunds.selectors import lines_and_payments_read, return_money
from returndesk.refunds.services import refund_create, return_keep
from returndesk.returns import selectors as returns_selectors
from returndesk.returns.domain import codes, lifecycle
from returndesk.returns.domain.lifecycle import Action, NoOpenOffer, Status
from returndesk.returns.models import Return
from returndesk.returns.services import return_transition

logger = logging.getLogger(__name__)

# At most this many offers per return: a negotiation, not a haggle.
OFFER_LIMIT = 3
# The system, lapsing an offer nobody answered in time (``offers_lapse``).
OFFER_LAPSER = Actor(kind=ActorKind.SYSTEM, id="offer_lapse")
# The system, keeping a return as it opens (``keep_at_request``).
KEEPER = Actor(kind=ActorKind.SYSTEM, id="keep_at_request")


def return_offer(*, actor: Actor, code: str, amount: Decimal, message: str, now: datetime | None = None) -> Return:
    """Offer the buyer ``amount`` instead of the return going on (the seller, on a requested or
    inspected return): the buyer has ``offer_answer`` (the policy's clock) to answer.

    409 ``offer_already_open``, ``offer_limit_reached`` (``OFFER_LIMIT`` offers made already),
    ``exceeds_refundable`` (above what a refund of the lines could still pay), ``invalid_transition``;
    422 ``zero_amount``, ``amount_not_representable``.
    """
    data: dict[str, Any] = {}

    def make(ret: Return, at: datetime) -> None:
        if Offer.objects.filter(return_request=ret).count() >= OFFER_LIMIT:
            raise OfferLimitReached(f"{OFFER_LIMIT} offers were made on this return; no more may be.")
        currency = ret.order.currency
        units = _minor(amount, currency)
        # Read without the order's locks: an offer only proposes; accepting it pays, under them,
        # and is refused if the caps shrank meanwhile.
        amounts.offer_spread(return_money(ret, lines_and_payments_read(ret.order, lock=False)), units)
        offer = Offer.objects.create(
            return_request=ret,
            amount=money.from_minor(units, currency),
            currency=currency,
            message=message,
            state=OfferState.OPEN,
            made_at=at,
            expires_at=at + returns_selectors.return_policy(ret).offer_answer,
            made_by_kind=actor.kind,
            made_by_id=actor.id,
        )
        ret.offer_open, ret.offer_made_at = True, at
        data.update(
            offer=offer.pk,
            amount=money.format_amount(money.from_minor(units, currency), currency),
            currency=currency,
            expires_at=offer.expires_at.isoformat(),
        )

    return return_transition(code=code, actor=actor, action=Action.OFFER, now=now, apply=make, data=data)


def return_accept_offer(*, actor: Actor, code: str, request_key: str = "", now: datetime | None = None) -> Return:
    """Accept the open offer for the buyer: a refund of kind ``offer`` pays its amount, spread
    over the lines a refund could cover by their remaining caps; the return goes to
    ``refunding``, ``partial_refund``. An offer past its expiry is never accepted.

    409 ``no_open_offer``, ``exceeds_refundable`` (refunds since the offer left less than it),
    ``invalid_transition``. ``request_key`` as for ``refund_create``: a repeat answers the first.
    """
    offer = (
        Offer.objects.filter(
            return_request__in=returns_selectors.visible_returns(actor).filter(code=codes.normalise(code)),
            state=OfferState.OPEN,
        )
        .order_by("-made_at", "-id")
        .first()
    )
    if offer is None:
        # No offer to pay: refused as the lifecycle refuses it (404, 403, 409 in that order).
        return return_transition(code=code, actor=actor, action=Action.ACCEPT_OFFER, now=now, apply=_no_open_offer)

    def accept(ret: Return, at: datetime) -> None:
        # Read before the return's lock: still the open offer now that the lock is held?
        if not Offer.objects.filter(pk=offer.pk, state=OfferState.OPEN).update(
            state=OfferState.ACCEPTED, answered_at=at
        ):
            raise NoOpenOffer("The offer was answered meanwhile.")

    refund = refund_create(
        actor=actor,
        code=code,
        kind=RefundKind.OFFER,
        lines=None,
        shipping_amount=None,
        note="",
        request_key=request_key,
        offer=offer,
        now=now,
        apply=accept,
        data={"offer": offer.pk},
    )
    return refund.return_request


def _no_open_offer(_ret: Return, _at: datetime) -> None:
    # The return says an offer is open but none is stored: refuse rather than pay nothing.
    raise NoOpenOffer()


def return_decline_offer(*, actor: Actor, code: str, reason: str = "", now: datetime | None = None) -> Return:
    """Decline the open offer for the buyer; the seller's clock resumes, later by the time the
    offer was open. 409 ``no_open_offer``, ``invalid_transition``."""
    data: dict[str, Any] = {}

    def decline(ret: Return, at: datetime) -> None:
        data.update(_offer_close(ret, at))

    return return_transition(
        code=code, actor=actor, action=Action.DECLINE_OFFER, now=now, reason=reason, apply=decline, data=data
    )


def _offer_close(ret: Return, at: datetime) -> dict[str, Any]:
    """Close the return's open offer, under the return's lock, without leaving the status:
    ``declined``, or ``lapsed`` at its expiry once that has passed (whoever records it). The
    seller's clock stood still until then (``lifecycle.offer_paused_after``)."""
    offer = _open_offer(ret)
    lapsed = at >= offer.expires_at
    closed_at = offer.expires_at if lapsed else at
    state = OfferState.LAPSED if lapsed else OfferState.DECLINED
    ret.offer_paused = lifecycle.offer_paused_after(returns_selectors.return_facts(ret), closed_at)
    ret.offer_open, ret.offer_made_at = False, None
    Offer.objects.filter(pk=offer.pk).update(state=state, answered_at=closed_at)
    return {"offer": offer.pk, "state": str(state)}


def _open_offer(ret: Return) -> Offer:
    offer = Offer.objects.filter(return_request=ret, state=OfferState.OPEN).order_by("-made_at", "-id").first()
    if offer is None:
        raise NoOpenOffer()
    return offer


def offers_lapse(now: datetime) -> int:
    """Lapse every open offer past its expiry: ``decline_offer`` by the system, as the offer's
    deadline says (``refunds_drive`` calls this until a later issue runs the clocks). Answers how
    many lapsed; a return that refuses (moved on meanwhile) is logged and skipped."""
    due = list(
        Offer.objects.filter(state=OfferState.OPEN, expires_at__lte=now)
        .order_by("expires_at", "id")
        .values_list("return_request__code", flat=True)
    )
    lapsed = 0
    for code in due:
        data: dict[str, Any] = {}

        def lapse(ret: Return, at: datetime, data: dict[str, Any] = data) -> None:
            data.update(_offer_close(ret, at))

        try:
            return_transition(
                code=code, actor=OFFER_LAPSER, action=Action.DECLINE_OFFER, now=now, apply=lapse, data=data
            )
        except ReturndeskError:
            # One return's refusal must not stop the sweep; the next run tries it again.
            logger.exception("Could not lapse the offer on return %s", code)
            continue
        lapsed += 1
    return lapsed


def offer_withdraw(ret: Return, _actor: Actor, _action: Action, _to: Status, at: datetime) -> dict[str, Any]:
    """``returns.hooks``: the return leaves requested or inspected (approved, kept, refunded, ...)
    while an offer is open: the offer is withdrawn, said in that action's event."""
    offer = Offer.objects.filter(return_request=ret, state=OfferState.OPEN).order_by("-made_at", "-id").first()
    if offer is None:
        return {}
    Offer.objects.filter(pk=offer.pk).update(state=OfferState.WITHDRAWN, answered_at=at)
    return {"offer_withdrawn": offer.pk}


def keep_at_request(ret: Return, at: datetime) -> Return:
    """``returns.hooks``: the system keeps a return as it opens (``opening.keeps_at_request``):
    every line refunded without a parcel, ``refunding``, ``keep_item``."""
    return return_keep(actor=KEEPER, code=ret.code, now=at)


def _minor(amount: Decimal, currency: str) -> int:
    try:
        return money.to_minor(amount, currency)
    except ValueError:
        raise AmountNotRepresentable(
            f"{amount} has more decimals than {currency} allows.",
            errors=[{"loc": ["body", "amount"], "msg": f"{currency} has {money.exponent(currency)} decimals"}],
        ) from None
