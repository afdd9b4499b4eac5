from __future__ import annotations

from django.db.models import QuerySet

from returndesk.accounts.actors import Actor, ActorKind
from returndesk.marketplace.errors import OrderNotFound
from returndesk.marketplace.models import Order


def visible_orders(actor: Actor) -> QuerySet[Order]:
    orders = Order.objects.all()
    if actor.kind in (ActorKind.SELLER_KEY, ActorKind.SELLER_USER):
        assert actor.seller_id is not None
        return orders.filter(seller_id=actor.seller_id)
    if actor.kind is ActorKind.BUYER:
        return orders.filter(buyer__external_id=actor.id)
    return orders


def order_get_for_actor(*, external_id: str, actor: Actor) -> Order:
    order = (visible_orders(actor).select_related("seller", "buyer")
             .prefetch_related("lines", "payments").filter(external_id=external_id).first())
    if order is None:
        raise OrderNotFound(f"No order {external_id!r}.")
    return order
