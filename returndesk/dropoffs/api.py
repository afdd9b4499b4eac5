from __future__ import annotations

from typing import Any

from django.http import HttpRequest, HttpResponse
from ninja import Query, Router

from returndesk.core.access import access_require
from returndesk.core.actors import Actor, ActorKind
from returndesk.core.api import actor_of, errors, respond
from returndesk.core.errors import ValidationFailed
from returndesk.core.idempotency import idempotent
from returndesk.dropoffs import selectors, services
from returndesk.dropoffs.schemas import (
    DropoffIn,
    PointIn,
    PointListQuery,
    PointOut,
    PointPageOut,
    ReceiptOut,
    TrackingEventIn,
    TrackingEventOut,
    receipt_data,
)

router = Router(tags=["dropoffs"])


@router.post("/dropoff-points", response={201: PointOut, 200: PointOut, **errors(400, 403)})
def dropoff_point_register(request: HttpRequest, payload: PointIn) -> HttpResponse:
    """Register one of your carrier's drop-off points (201), or update it (200). Carrier keys only."""
    actor = access_require(actor_of(request), ActorKind.CARRIER)

    def produce() -> HttpResponse:
        point, created = services.dropoff_point_register(
            actor=actor,
            point_id=payload.point_id,
            name=payload.name,
            address=payload.address.model_dump(),
            active=payload.active,
        )
        return respond(201 if created else 200, PointOut, point)

    return idempotent(request, actor, produce)


@router.get("/dropoff-points", response={200: PointPageOut, **errors(403)})
def dropoff_point_list(request: HttpRequest, query: Query[PointListQuery]) -> HttpResponse:
    """Drop-off points newest first: a carrier key its carrier's, the platform and agents all."""
    actor = actor_of(request)
    page, next_cursor = selectors.dropoff_points_list(actor=actor, limit=query.limit, cursor=query.cursor)
    return respond(200, PointPageOut, {"items": page, "next_cursor": next_cursor})


def _invalid(errors: list[tuple[str, str]]) -> ValidationFailed:
    return ValidationFailed(
        " ".join(message for _, message in errors),
        errors=[{"loc": ["body", "payload", field], "msg": message, "type": "invalid"} for field, message in errors],
    )


def _handover_arguments(actor: Actor, payload: DropoffIn) -> dict[str, Any]:
    """What ``return_handover`` takes from a carrier's or the platform's body, or 422."""
    problems: list[tuple[str, str]] = []
    if actor.kind is ActorKind.CARRIER:
        if payload.point_id is None:
            problems.append(("point_id", "A carrier hands over at one of its points: point_id is required."))
        if payload.carrier is not None:
            problems.append(("carrier", "A carrier key hands over for its own carrier: leave carrier out."))
    else:
        if payload.point_id is not None:
            problems.append(("point_id", "A self-shipped parcel was handed over at no point of ours: no point_id."))
        if payload.offline is not None:
            problems.append(("offline", "Only a carrier's counter hands over offline."))
        if payload.tracking_number is None:
            problems.append(("tracking_number", "A self-shipped parcel needs its tracking_number."))
        if payload.carrier is None:
            problems.append(("carrier", "A self-shipped parcel needs the carrier that took it."))
    if problems:
        raise _invalid(problems)
    offline = payload.offline
    return {
        "code": payload.code,
        "carrier": actor.carrier if actor.kind is ActorKind.CARRIER else payload.carrier,
        "point_id": payload.point_id,
        "tracking_number": payload.tracking_number or "",
        "weight_g": payload.weight_g,
        "accepted_at": offline.accepted_at if offline else None,
        "offline": offline is not None,
    }


@router.post("/dropoffs", response={201: ReceiptOut, **errors(400, 403, 409, 429)})
def dropoff_create(request: HttpRequest, payload: DropoffIn) -> HttpResponse:
    """Hand a return's parcel over: the return goes ``in_transit`` and the receipt is answered.

    A carrier key at one of its points (``offline`` for a parcel a counter accepted offline); the
    platform for a self-shipped parcel, on the buyer's behalf. Any verdict on the code but
    ``valid`` is 409 ``not_acceptable_at_counter`` with the verifier's answer; an offline QR that
    does not verify or names another code, 422 ``qr_invalid``.
    """
    actor = access_require(actor_of(request), ActorKind.CARRIER, ActorKind.PLATFORM)
    arguments = _handover_arguments(actor, payload)

    def produce() -> HttpResponse:
        if payload.offline is not None:
            # The label's QR must verify and name the code; the handover is judged when the
            # counter took the parcel, and after the QR's exp the code counts as expired.
            label = services.label_qr_read(
                payload=payload.offline.qr, code=payload.code, at=payload.offline.accepted_at
            )
            arguments["honour_until"] = label.expires_at
        receipt = services.return_handover(actor=actor, **arguments)
        return respond(201, ReceiptOut, receipt_data(receipt))

    # Every counter sends a key with every parcel; the handover writes only to the database
    # before its commit (the receipt's mail goes after it).
    return idempotent(request, actor, produce, read_first=False)


@router.get("/dropoffs/{receipt_id}", response={200: ReceiptOut, **errors(403, 404)})
def dropoff_get(request: HttpRequest, receipt_id: str) -> HttpResponse:
    """One handover's receipt: a carrier key its carrier's, a seller its returns', the platform
    and agents all."""
    receipt = selectors.receipt_get_for_actor(receipt_id=receipt_id, actor=actor_of(request))
    return respond(200, ReceiptOut, receipt_data(receipt))


@router.post("/tracking-events", response={202: TrackingEventOut, **errors(400, 403, 409)})
def tracking_event_post(request: HttpRequest, payload: TrackingEventIn) -> HttpResponse:
    """A carrier's scan of a parcel: ``accepted`` hands an approved return over (if scanned by
    ``ship_by``), ``delivered`` starts the seller's receive clock, ``returned_to_sender`` makes
    the return approved again; every event shows once on its return's timeline. An event
    finding no return waits for a handover to record its number (``matched: false``)."""
    actor = access_require(actor_of(request), ActorKind.CARRIER)

    def produce() -> HttpResponse:
        taken = services.tracking_event_record(
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
