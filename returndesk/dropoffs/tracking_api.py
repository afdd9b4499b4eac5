from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from returndesk.core.access import access_require
from returndesk.core.actors import ActorKind
from returndesk.core.api import actor_of, errors, respond
from returndesk.core.idempotency import idempotent
from returndesk.dropoffs.tracking_schemas import TrackingEventIn, TrackingEventOut
from returndesk.dropoffs.tracking_services import tracking_event_record

tracking_router = Router(tags=["tracking"])


@tracking_router.post("/tracking-events", response={202: TrackingEventOut, **errors(400, 403, 409)})
def tracking_event_post(request: HttpRequest, payload: TrackingEventIn) -> HttpResponse:
    """A carrier's scan of a parcel: ``accepted`` hands an approved return over (if scanned by
    ``ship_by``), ``delivered`` starts the seller's receive clock, ``returned_to_sender`` makes
    the return approved again; every event shows once on its return's timeline. An event
    finding no return waits for a handover to record its number (``matched: false``)."""
    actor = access_require(actor_of(request), ActorKind.CARRIER)

    def produce() -> HttpResponse:
        taken = tracking_event_record(
            actor=actor,
            event_id=payload.event_id,
            tracking_number=payload.tracking_number,
            status=payload.status,
            occurred_at=payload.occurred_at,
            code=payload.code,
            carrier=payload.carrier,
        )
        return respond(202, TrackingEventOut, taken)

    return idempotent(request, actor, produce)
