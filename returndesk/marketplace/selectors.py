from __future__ import annotations

from django.db.models import QuerySet

from returndesk.core.access import scope_to_actor
from returndesk.core.actors import Actor
from returndesk.marketplace.errors import OrderNotFound
from returndesk.marketplace.models import Order


def visible_orders(actor: Actor) -> QuerySet[Order]:
    return scope_to_actor(Order.objects.all(), actor)


def order_get_for_actor(*, external_id: str, actor: Actor) -> Order:
    order = (
        visible_orders(actor)
        .select_related("seller", "buyer")
        .prefetch_related("lines", "payments")
        .filter(external_id=external_id)
        .first()
    )
    if order is None:
        raise OrderNotFound(f"No order {external_id!r}.")
    return order
