from __future__ import annotations

from django.db.models import Prefetch, QuerySet

from returndesk.core.access import scope_to_actor
from returndesk.core.actors import Actor
from returndesk.marketplace.errors import OrderNotFound
from returndesk.marketplace.models import Order, Payment


def visible_orders(actor: Actor) -> QuerySet[Order]:
    return scope_to_actor(Order.objects.all(), actor)


def order_get_for_actor(*, external_id: str, actor: Actor) -> Order:
    order = (
        visible_orders(actor)
        .select_related("seller", "buyer")
        # Payments in the order they were first imported: a re-import keeps their ids.
        .prefetch_related("lines", Prefetch("payments", queryset=Payment.objects.order_by("pk")))
        .filter(external_id=external_id)
        .first()
    )
    if order is None:
        raise OrderNotFound(f"No order {external_id!r}.")
    return order
