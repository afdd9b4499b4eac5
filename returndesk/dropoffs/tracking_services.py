from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db import IntegrityError, transaction
from django.db.models import Max

from returndesk.core import clock
from returndesk.core.actors import Actor, ActorKind
from returndesk.core.errors import Forbidden, ValidationFailed
from returndesk.core.locks import locked
from returndesk.dropoffs.domain.tracking_events import CHANGES, Effect, TrackingStatus, effect_of, too_far_ahead
from returndesk.dropoffs.errors import NotAcceptableAtCounter
from returndesk.dropoffs.locks import tracking_number_lock
from returndesk.dropoffs.models import Receipt, TrackingEvent
from returndesk.returns import services as returns_services
from returndesk.returns.domain import codes, lifecycle, tracking
from returndesk.returns.domain.lifecycle import Action, Status
from returndesk.returns.domain.verification import Result, verdict_by_status
from returndesk.returns.errors import TrackingMismatch
from returndesk.returns.models import Return

# --- Tracking events ------------------------------------------------------------------------------


@dataclass(frozen=True)
class TrackingEventTaken:
    """The answer to a tracking event: whether it found its return, and whether it came before."""

    event_id: str
    matched: bool
    duplicate: bool


def _invalid(field: str, message: str) -> ValidationFailed:
    return ValidationFailed(message, errors=[{"loc": ["body", field], "msg": message, "type": "invalid"}])


def tracking_event_record(
    *,
    actor: Actor,
    event_id: str,
    tracking_number: str,
    status: TrackingStatus,
    occurred_at: datetime,
    code: str | None = None,
    carrier: str | None = None,
    now: datetime | None = None,
) -> TrackingEventTaken:
    """Take in a carrier's scan of a parcel, once per (carrier, ``event_id``).

    Carrier keys only (403 ``forbidden``); the event is the key's carrier's (``carrier``, when
    given, must name it). The number is checked by shape (422 ``bad_check_digit`` or
    ``validation_error``), ``occurred_at`` may not be over five minutes ahead (422). A repeat of
    an event id changes nothing (``duplicate``). The return is found by ``code`` when given (its
    number set if it has none; another number is 409 ``tracking_mismatch``, as is a number
    already on another return), else by number; an event finding none is kept, unapplied, until a
    handover records its number. What the event does is ``domain.tracking_events.effect_of``'s
    answer, applied by ``_apply``; it shows once on the return's timeline.
    """
    if actor.kind is not ActorKind.CARRIER:
        raise Forbidden("Only a carrier key reports tracking events.")
    number = tracking.checked(tracking_number)
    if carrier is not None and carrier != actor.carrier:
        raise _invalid("carrier", f"This key reports the parcels of carrier {actor.carrier!r} only.")
    canonical = None
    if code is not None:
        canonical = codes.normalise(code)
        if codes.shape(canonical) is not codes.Shape.VALID:
            raise _invalid("code", "Not a return code: 13 letters and digits with a valid check symbol.")
    now = now or clock.now()
    if too_far_ahead(occurred_at, now=now):
        raise _invalid("occurred_at", "A scan cannot happen more than 5 minutes in the future.")
    with transaction.atomic():
        tracking_number_lock(number)
        seen = TrackingEvent.objects.filter(carrier=actor.carrier, event_id=event_id).first()
        if seen is not None:
            return TrackingEventTaken(event_id, matched=seen.return_request_id is not None, duplicate=True)
        ret = _return_for(code=canonical, number=number)
        if ret is not None and ret.tracking_number != number and (ret.tracking_number or _number_taken(number, ret)):
            raise TrackingMismatch(
                f"Return {ret.code_display} has tracking number {ret.tracking_number}, not {number}."
                if ret.tracking_number
                else f"Tracking number {number} is already on another return."
            )
        try:
            with transaction.atomic():
                event = TrackingEvent.objects.create(
                    carrier=actor.carrier,
                    event_id=event_id,
                    tracking_number=number,
                    status=status,
                    occurred_at=occurred_at,
                    code=canonical or "",
                    return_request=ret,
                    received_at=now,
                )
        except IntegrityError:
            # The same event with another number, taken meanwhile under that number's lock.
            seen = TrackingEvent.objects.get(carrier=actor.carrier, event_id=event_id)
            return TrackingEventTaken(event_id, matched=seen.return_request_id is not None, duplicate=True)
        if ret is None:
            return TrackingEventTaken(event_id, matched=False, duplicate=False)
        had_number = bool(ret.tracking_number)
        ret = _apply(event, ret, actor=actor, now=now)
        if not had_number and ret.tracking_number == number:
            tracking_events_apply_pending(ret=ret, number=number, now=now)
    return TrackingEventTaken(event_id, matched=True, duplicate=False)


def _return_for(*, code: str | None, number: str) -> Return | None:
    """The return an event names, locked: by code when given, else by number (the newest, should
    two ever share one)."""
    found = Return.objects.filter(code=code) if code is not None else Return.objects.filter(tracking_number=number)
    return locked(found.select_related("buyer", "seller", "order").order_by("-created_at", "-id")).first()


def _number_taken(number: str, ret: Return) -> bool:
    return Return.objects.filter(tracking_number=number).exclude(pk=ret.pk).exists()


def tracking_events_apply_pending(*, ret: Return, number: str, now: datetime) -> None:
    """Apply to ``ret`` the events that found no return with ``number`` when they came, oldest
    scan first: a handover (or a code-matched event) has just recorded the number on ``ret``.

    The caller holds ``number``'s lock (``dropoffs.locks``), then the return's, in one transaction.
    """
    waiting = TrackingEvent.objects.filter(tracking_number=number, applied=False, return_request=None)
    for event in waiting.order_by("occurred_at", "id"):
        event.return_request = ret
        ret = _apply(event, ret, actor=_carrier(event.carrier), now=now)


def _carrier(carrier: str) -> Actor:
    """Who an event applied later acts as: its carrier (the key that sent it is not kept)."""
    return Actor(kind=ActorKind.CARRIER, id=carrier, carrier=carrier)


def tracking_event_data(event: TrackingEvent) -> dict[str, Any]:
    """An event as its return's timeline shows it."""
    return {
        "event_id": event.event_id,
        "carrier": event.carrier,
        "status": event.status,
        "tracking_number": event.tracking_number,
        "occurred_at": event.occurred_at.isoformat(),
    }


def _last_change(ret: Return) -> datetime | None:
    changes = TrackingEvent.objects.filter(return_request=ret, effect__in=sorted(CHANGES))
    last: datetime | None = changes.aggregate(last=Max("occurred_at"))["last"]
    return last


def _apply(event: TrackingEvent, ret: Return, *, actor: Actor, now: datetime) -> Return:
    """Do what ``event`` does to ``ret`` (locked), record it on the timeline once, and mark the
    event applied with its effect. Answers the return as it now is."""
    last_change = _last_change(ret)
    effect = effect_of(
        event=TrackingStatus(event.status), status=Status(ret.status), occurred_at=event.occurred_at, last_change=last_change
    )
    data = tracking_event_data(event)
    if last_change is not None and event.occurred_at < last_change:
        # Scanned before the scan that last moved the return: history only.
        data["stale"] = True
    # Found by code, the return takes the event's number when it has none.
    number = event.tracking_number if not ret.tracking_number else None
    match effect:
        case Effect.HANDOVER:
            ret, effect = _hand_over(event, ret, actor=actor, now=now, data=data, number=number)
        case Effect.DELIVERY:
            returns_services.return_tracking_record(
                ret=ret, actor=actor, at=now, data=data, tracking_number=number, delivered_to_seller_at=event.occurred_at
            )
        case Effect.RETURN_TO_SENDER:
            ret = _return_to_sender(ret, actor=actor, now=now, data=data)
        case Effect.TIMELINE:
            returns_services.return_tracking_record(ret=ret, actor=actor, at=now, data=data, tracking_number=number)
    event.return_request, event.applied, event.effect = ret, True, effect
    event.save(update_fields=["return_request", "applied", "effect"])
    return ret


def _hand_over(
    event: TrackingEvent, ret: Return, *, actor: Actor, now: datetime, data: dict[str, Any], number: str | None
) -> tuple[Return, Effect]:
    """An ``accepted`` scan hands an approved return over when it happened by ``ship_by``, judged
    by ``return_handover`` at the scan's time; any other verdict goes on the timeline with its
    ``result`` and changes nothing else (no failed look-up is counted)."""
    verdict = verdict_by_status(
        Status(ret.status), parcel_recorded=ret.parcel_recorded, ship_by=ret.ship_by, now=event.occurred_at
    )
    if verdict.result is Result.VALID:
        try:
            receipt = handover(
                actor=actor,
                code=ret.code,
                carrier=event.carrier,
                point_id=None,
                tracking_number=event.tracking_number,
                accepted_at=event.occurred_at,
                count_failures=False,
                tracking=data,
                now=now,
            )
        except NotAcceptableAtCounter as refused:
            verdict = refused.verdict
        else:
            return receipt.return_request, Effect.HANDOVER
    returns_services.return_tracking_record(
        ret=ret, actor=actor, at=now, data=data | {"result": verdict.result.value}, tracking_number=number
    )
    return ret, Effect.TIMELINE


def _return_to_sender(ret: Return, *, actor: Actor, now: datetime, data: dict[str, Any]) -> Return:
    """The carrier brings the parcel back to the buyer: the return is approved again with a new
    ``ship_by``, without a number or a delivery, and its handover's receipt is no longer current."""

    def send_back(ret: Return, at: datetime) -> None:
        ret.ship_by = lifecycle.ship_by_after(at)
        ret.tracking_number, ret.delivered_to_seller_at = "", None
        Receipt.objects.filter(return_request=ret, current=True).update(current=False)

    return returns_services.return_transition(
        code=ret.code, actor=actor, action=Action.RETURN_TO_SENDER, now=now, data={"tracking": data}, apply=send_back
    )
