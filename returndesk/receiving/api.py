from __future__ import annotations

from typing import Annotated

from django.http import HttpRequest, HttpResponse
from ninja import Path, Query, Router

from returndesk.core.access import access_require
from returndesk.core.api import actor_of, errors, respond
from returndesk.core.idempotency import idempotent
from returndesk.receiving import selectors, services
from returndesk.receiving.domain.parcels import parcel_id_normalise
from returndesk.receiving.schemas import MatchIn, ParcelIn, ParcelListQuery, ParcelOut, ParcelPageOut, ReceiveIn
from returndesk.returns.domain import codes
from returndesk.returns.schemas import ReturnDetailOut
from returndesk.returns.selectors import return_answer_load

# The receive keeps its place among the returns' actions in the documentation.
receive_router = Router(tags=["returns"])
router = Router(tags=["parcels"])
# The path's ``{id}``, under a name that does not shadow Python's own.
ParcelId = Annotated[str, Path(alias="id", description="The parcel's id")]


@receive_router.post("/returns/{code}/receive", response={200: ReturnDetailOut, **errors(400, 403, 404, 409)})
def return_receive(request: HttpRequest, code: str, payload: ReceiveIn | None = None) -> HttpResponse:
    """Record that the parcel reached the seller, and what came out of it.

    ``lines`` lists the items scanned (each by ``sku``, ``gtin`` or a raw ``item`` scan); left out,
    everything the return names arrived. Short and surplus lines, items on no line and the
    ``anomalies`` given are recorded as anomalies; the answer's ``receiving`` shows the tally.
    """
    actor = actor_of(request)
    body = payload or ReceiveIn()

    def produce() -> HttpResponse:
        ret = services.receiving_record(
            code=code, actor=actor, scan=body.scan, scans=body.scans(), reported=body.reported(), note=body.note
        )
        return respond(200, ReturnDetailOut, return_answer_load(ret))

    # However the code was typed, a retry is the same request.
    return idempotent(request, actor, produce, path=f"/api/v1/returns/{codes.normalise(code)}/receive")


@router.post("/parcels", response={201: ParcelOut, **errors(400, 403)})
def parcel_create(request: HttpRequest, payload: ParcelIn) -> HttpResponse:
    """Record a parcel that arrived without a return anyone could name (the seller's own)."""
    actor = access_require(actor_of(request), *selectors.SELLERS)

    def produce() -> HttpResponse:
        parcel = services.parcel_create(
            actor=actor,
            tracking_number=payload.tracking_number,
            sender_name=payload.sender_name,
            contents=payload.contents,
            note=payload.note,
        )
        return respond(201, ParcelOut, parcel)

    return idempotent(request, actor, produce)


@router.get("/parcels", response={200: ParcelPageOut, **errors(403)})
def parcel_list(request: HttpRequest, query: Query[ParcelListQuery]) -> HttpResponse:
    """Parcels newest recorded first, a page at a time (``next_cursor`` until null); ``status``
    narrows to the unmatched or the matched."""
    actor = actor_of(request)
    page, next_cursor = selectors.parcels_list(actor=actor, status=query.status, limit=query.limit, cursor=query.cursor)
    return respond(200, ParcelPageOut, {"items": page, "next_cursor": next_cursor})


@router.get("/parcels/{id}", response={200: ParcelOut, **errors(403, 404)})
def parcel_get(request: HttpRequest, parcel_id: ParcelId) -> HttpResponse:
    """One parcel."""
    return respond(200, ParcelOut, selectors.parcel_get_for_actor(parcel_id=parcel_id, actor=actor_of(request)))


@router.post("/parcels/{id}/match", response={200: ReturnDetailOut, **errors(400, 403, 404, 409)})
def parcel_match(request: HttpRequest, parcel_id: ParcelId, payload: MatchIn) -> HttpResponse:
    """Match a parcel to its return: receive the return as ``receive`` does (``lines``,
    ``anomalies``, ``note`` alike) and mark the parcel matched; answers the return."""
    actor = access_require(actor_of(request), *selectors.SELLERS)

    def produce() -> HttpResponse:
        ret = services.parcel_match(
            parcel_id=parcel_id,
            actor=actor,
            code=payload.code,
            scans=payload.scans(),
            reported=payload.reported(),
            note=payload.note,
        )
        return respond(200, ReturnDetailOut, return_answer_load(ret))

    return idempotent(request, actor, produce, path=f"/api/v1/parcels/{parcel_id_normalise(parcel_id)}/match")
