"""Importing orders from the marketplace operator."""

from __future__ import annotations

from datetime import datetime

from django.db import IntegrityError, transaction

from returndesk.core import clock
from returndesk.marketplace.domain.orders import (
    LINE_FIELDS,
    UNSET,
    BuyerImport,
    LineImport,
    OrderImport,
    SellerImport,
)
from returndesk.marketplace.errors import OrderConflict
from returndesk.marketplace.models import Buyer, Order, OrderLine, Payment, Seller


def order_import(*, data: OrderImport, now: datetime | None = None) -> tuple[Order, bool]:
    """Create an order, or update it from a re-import; True when it was new.

    A re-import may add lines, update lines nobody returns, and set delivery dates. It may not
    drop or shrink a line that has returns, change such a line's price, move the order to another
    seller or buyer, or change the currency: that answers ``order_conflict`` and changes nothing.
    """
    now = now or clock.now()
    try:
        with transaction.atomic():
            return _order_import(data, now)
    except IntegrityError:
        # Two first imports of the same order, seller or buyer raced on a unique key; the loser
        # is now a re-import of what the winner committed.
        with transaction.atomic():
            return _order_import(data, now)


def _order_import(data: OrderImport, now: datetime) -> tuple[Order, bool]:
    seller = _seller_upsert(data.seller, now)
    buyer = _buyer_upsert(data.buyer, now)
    order = Order.objects.select_for_update().filter(external_id=data.external_id).first()
    created = order is None
    if order is None:
        order = Order.objects.create(
            external_id=data.external_id,
            number=data.number,
            seller=seller,
            buyer=buyer,
            currency=data.currency,
            placed_at=data.placed_at,
            delivered_at=data.delivered_at,
            shipping_amount=data.shipping_amount,
            created_at=now,
            updated_at=now,
        )
    else:
        _check_reimport(order, data, seller, buyer)
        order.number = data.number
        order.placed_at = data.placed_at
        order.delivered_at = data.delivered_at or order.delivered_at
        order.shipping_amount = data.shipping_amount
        order.updated_at = now
        order.save()
    _lines_sync(order, data.lines, created=created)
    _payments_sync(order, data)
    return order, created


def _seller_upsert(data: SellerImport, now: datetime) -> Seller:
    fields: dict[str, object] = {"name": data.name, "country": data.country}
    # Optional details left out of a re-import keep what an earlier import said.
    if data.email is not UNSET:
        fields["email"] = data.email or ""
    if data.return_address is not UNSET:
        fields["return_address"] = data.return_address.as_dict() if data.return_address else None
    seller, _ = Seller.objects.update_or_create(
        external_id=data.external_id, defaults=fields, create_defaults={**fields, "created_at": now}
    )
    return seller


def _buyer_upsert(data: BuyerImport, now: datetime) -> Buyer:
    fields = {
        "email": data.email,
        "name": data.name,
        "country": data.country,
        "locale": data.locale,
        "time_zone": data.time_zone,
    }
    buyer, _ = Buyer.objects.update_or_create(
        external_id=data.external_id, defaults=fields, create_defaults={**fields, "created_at": now}
    )
    return buyer


def _check_reimport(order: Order, data: OrderImport, seller: Seller, buyer: Buyer) -> None:
    if data.currency != order.currency:
        raise OrderConflict(f"The order is in {order.currency}; a re-import cannot change it to {data.currency}.")
    if seller.pk != order.seller_id or buyer.pk != order.buyer_id:
        raise OrderConflict("A re-import cannot move the order to another seller or buyer.")
    incoming = {line.external_id: line for line in data.lines}
    returned = order.lines.filter(return_lines__isnull=False).distinct()
    for line in returned:
        new = incoming.get(line.external_id)
        if new is None:
            raise OrderConflict(f"Line {line.external_id!r} has returns and cannot be dropped.")
        if new.quantity < line.quantity:
            raise OrderConflict(
                f"Line {line.external_id!r} has returns and cannot shrink from {line.quantity} to {new.quantity}."
            )
        if new.unit_price != line.unit_price or new.paid_amount != line.paid_amount:
            raise OrderConflict(f"Line {line.external_id!r} has returns; its price cannot change.")


def _lines_sync(order: Order, lines: tuple[LineImport, ...], *, created: bool) -> None:
    existing = {} if created else {line.external_id: line for line in order.lines.all()}
    for data in lines:
        line = existing.pop(data.external_id, None)
        if line is None:
            OrderLine.objects.create(
                order=order,
                external_id=data.external_id,
                delivered_at=data.delivered_at,
                **{name: getattr(data, name) for name in LINE_FIELDS},
            )
            continue
        for name in LINE_FIELDS:
            setattr(line, name, getattr(data, name))
        line.delivered_at = data.delivered_at or line.delivered_at
        line.save()
    # Only lines without returns are left here (``_check_reimport`` refused the others).
    for line in existing.values():
        line.delete()


def _payments_sync(order: Order, data: OrderImport) -> None:
    order.payments.all().delete()
    Payment.objects.bulk_create(
        Payment(order=order, method=p.method, gateway=p.gateway, reference=p.reference, amount=p.amount)
        for p in data.payments
    )
