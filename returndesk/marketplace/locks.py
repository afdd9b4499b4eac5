"""The marketplace's row locks, taken in the order ``core.locks`` sets: an order, then its seller,
then its buyer."""

from __future__ import annotations

from returndesk.core.locks import locked
from returndesk.marketplace.models import Buyer, Order, Seller


def order_lock(*, external_id: str) -> Order | None:
    """Lock the order with this external id, None when there is none. Its seller and buyer are read
    along with it but not locked: whoever changes them locks them next, in their turn."""
    return locked(Order.objects.select_related("seller", "buyer")).filter(external_id=external_id).first()


def seller_lock(*, external_id: str) -> Seller | None:
    """Lock a seller; hold its order's lock first, if there is one."""
    return locked(Seller.objects.filter(external_id=external_id)).first()


def buyer_lock(*, external_id: str) -> Buyer | None:
    """Lock a buyer; hold its order's and its seller's locks first, if there are any."""
    return locked(Buyer.objects.filter(external_id=external_id)).first()
