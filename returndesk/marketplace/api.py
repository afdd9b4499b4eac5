from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from ninja import Router

from returndesk.core.access import access_reads, access_require
from returndesk.core.actors import ActorKind
from returndesk.core.api import actor_of, errors, respond
from returndesk.core.idempotency import idempotent
from returndesk.marketplace import selectors, services
from returndesk.marketplace.schemas import OrderIn, OrderOut

router = Router(tags=["orders"])


@router.post("/orders", response={200: OrderOut, 201: OrderOut, **errors(400, 403, 409)})
def order_import(request: HttpRequest, payload: OrderIn) -> HttpResponse:
    """Import an order from the marketplace: 201 when new, 200 when re-imported."""
    actor = access_require(actor_of(request), ActorKind.PLATFORM)

    def produce() -> HttpResponse:
        order, created = services.order_import(data=payload.to_import())
        fetched = selectors.order_get_for_actor(external_id=order.external_id, actor=actor)
        return respond(201 if created else 200, OrderOut, fetched)

    return idempotent(request, actor, produce)


@router.get("/orders/{external_id}", response={200: OrderOut, **errors(403, 404)})
def order_get(request: HttpRequest, external_id: str) -> HttpResponse:
    """One order with its lines and payments (a seller key sees only its own)."""
    actor = access_reads(actor_of(request))
    return respond(200, OrderOut, selectors.order_get_for_actor(external_id=external_id, actor=actor))
