"""Importing orders from the marketplace operator."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime
from typing import TypeVar

from django.db import IntegrityError, transaction

from returndesk.core import clock, money
from returndesk.marketplace.domain import orders
from returndesk.marketplace.domain.orders import (
    LINE_FIELDS,
    RETURNED_LINE_FIXED,
    UNSET,
    BuyerImport,
    LineImport,
    OrderImport,
    PaymentMatch,
    SellerImport,
)
from returndesk.marketplace.errors import OrderConflict
from returndesk.marketplace.locks import buyer_lock, order_lock, seller_lock
from returndesk.marketplace.models import Buyer, Order, OrderLine, Payment, Seller

Party = TypeVar("Party", Seller, Buyer)


def order_import(*, data: OrderImport, now: datetime | None = None) -> tuple[Order, bool]:
    """Create an order, or update it from a re-import; True when it was new.

    A re-import may add lines, update lines nobody returns, set delivery dates and add payments.
    It may not drop or shrink a line that has returns, change such a line's price or the item it
    names (sku, gtin, variant_id, title, weight_g), move the order to another seller or buyer,
    change the currency, or leave out a payment stored before: that answers ``order_conflict``.
    Dates no real order has answer ``implausible_date``, and payments that do not add up to the
    lines' paid amounts plus shipping ``payments_mismatch``; those checks come after the
    conflicts. A refusal changes nothing.

    Locks follow ``core.locks``: the order first, then its seller, then its buyer.
    """
    now = now or clock.now()
    try:
        with transaction.atomic():
            return _order_import(data, now)
    except IntegrityError:
        # Two first imports of the same order raced on its unique key; the loser is now a
        # re-import of what the winner committed.
        with transaction.atomic():
            return _order_import(data, now)


def _order_import(data: OrderImport, now: datetime) -> tuple[Order, bool]:
    order = order_lock(external_id=data.external_id)
    if order is None:
        orders.dates_check(data, now=now)
        orders.payments_check(data)
        seller = _seller_upsert(data.seller, now)
        buyer = _buyer_upsert(data.buyer, now)
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
        _lines_sync(order, data.lines, existing={})
        Payment.objects.bulk_create(_new_payment(order, payment) for payment in data.payments)
        return order, True

    lines = {line.external_id: line for line in order.lines.all()}
    payments = _check_reimport(order, data, lines)
    orders.dates_check(data, now=now, recorded_deliveries=_kept_deliveries(order, data, lines))
    orders.payments_check(data)
    _seller_upsert(data.seller, now)
    _buyer_upsert(data.buyer, now)
    order.number = data.number
    order.placed_at = data.placed_at
    order.delivered_at = data.delivered_at or order.delivered_at
    order.shipping_amount = data.shipping_amount
    order.updated_at = now
    order.save()
    _lines_sync(order, data.lines, existing=lines)
    _payments_sync(order, payments)
    return order, False


def _seller_upsert(data: SellerImport, now: datetime) -> Seller:
    fields: dict[str, object] = {"name": data.name, "country": data.country}
    # Optional details left out of a re-import keep what an earlier import said.
    if data.email is not UNSET:
        fields["email"] = data.email or ""
    if data.return_address is not UNSET:
        fields["return_address"] = data.return_address.as_dict() if data.return_address else None
    return _party_upsert(Seller, seller_lock, data.external_id, fields, now)


def _buyer_upsert(data: BuyerImport, now: datetime) -> Buyer:
    fields: dict[str, object] = {
        "email": data.email,
        "name": data.name,
        "country": data.country,
        "locale": data.locale,
        "time_zone": data.time_zone,
    }
    return _party_upsert(Buyer, buyer_lock, data.external_id, fields, now)


def _party_upsert(
    model: type[Party],
    lock: Callable[..., Party | None],
    external_id: str,
    fields: dict[str, object],
    now: datetime,
) -> Party:
    """Update the seller or buyer with this external id under its lock, or create it."""
    party = lock(external_id=external_id)
    if party is None:
        try:
            with transaction.atomic():
                return model.objects.create(external_id=external_id, created_at=now, **fields)
        except IntegrityError:
            # A concurrent import created it first: update that one.
            party = lock(external_id=external_id)
            assert party is not None
    for name, value in fields.items():
        setattr(party, name, value)
    party.save(update_fields=list(fields))
    return party


def _check_reimport(order: Order, data: OrderImport, lines: dict[str, OrderLine]) -> PaymentMatch[Payment]:
    """Refuse what contradicts the order's returns or its stored payments; answers how the
    import's payments meet the stored ones."""
    if data.currency != order.currency:
        raise OrderConflict(f"The order is in {order.currency}; a re-import cannot change it to {data.currency}.")
    if data.seller.external_id != order.seller.external_id or data.buyer.external_id != order.buyer.external_id:
        raise OrderConflict("A re-import cannot move the order to another seller or buyer.")
    incoming = {line.external_id: line for line in data.lines}
    with_returns = set(
        OrderLine.objects.filter(order=order, return_lines__isnull=False).values_list("external_id", flat=True)
    )
    returned = sorted((lines[external_id] for external_id in with_returns), key=lambda line: line.pk)
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
    # Checks added after the ones above, so that an import those refuse keeps its answer.
    for line in returned:
        new = incoming[line.external_id]
        changed = [name for name in RETURNED_LINE_FIXED if getattr(new, name) != getattr(line, name)]
        if changed:
            raise OrderConflict(f"Line {line.external_id!r} has returns; its {_listed(changed)} cannot change.")
    payments = orders.payments_match(
        list(order.payments.order_by("pk")), data.payments, key=lambda payment: (payment.method, payment.reference)
    )
    if payments.left_out:
        missing = payments.left_out[0]
        amount = f"{money.format_amount(missing.amount, order.currency)} {order.currency}"
        which = f"reference {missing.reference!r}" if missing.reference else "no reference"
        raise OrderConflict(
            f"A re-import cannot leave out the {missing.method} payment of {amount} with {which}: "
            "payments stay once imported."
        )
    # What refunds paid back stays paid: a payment or the shipping never drops below it.
    for payment, incoming_payment in payments.kept:
        if incoming_payment.amount < payment.refunded:
            refunded = f"{money.format_amount(payment.refunded, order.currency)} {order.currency}"
            raise OrderConflict(
                f"The {payment.method} payment has {refunded} refunded; a re-import cannot lower it below that."
            )
    if data.shipping_amount < order.shipping_refunded:
        refunded = f"{money.format_amount(order.shipping_refunded, order.currency)} {order.currency}"
        raise OrderConflict(f"The shipping has {refunded} refunded; a re-import cannot lower it below that.")
    return payments


def _listed(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _kept_deliveries(order: Order, data: OrderImport, lines: dict[str, OrderLine]) -> list[datetime]:
    """Delivery dates stored before that this import keeps because it leaves them out."""
    kept = [order.delivered_at] if data.delivered_at is None and order.delivered_at else []
    for line in data.lines:
        stored = lines.get(line.external_id)
        if line.delivered_at is None and stored is not None and stored.delivered_at is not None:
            kept.append(stored.delivered_at)
    return kept


def _lines_sync(order: Order, lines: tuple[LineImport, ...], *, existing: dict[str, OrderLine]) -> None:
    remaining = dict(existing)
    for data in lines:
        line = remaining.pop(data.external_id, None)
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
    for line in remaining.values():
        line.delete()


def _new_payment(order: Order, payment: orders.PaymentImport) -> Payment:
    return Payment(
        order=order, method=payment.method, gateway=payment.gateway, reference=payment.reference, amount=payment.amount
    )


def _payments_sync(order: Order, payments: PaymentMatch[Payment]) -> None:
    """Update the payments the import names again and add the new ones. Their ids stay: refunds
    point at them, so no payment is ever deleted."""
    for payment, data in payments.kept:
        if (payment.gateway, payment.amount) != (data.gateway, data.amount):
            payment.gateway, payment.amount = data.gateway, data.amount
            payment.save(update_fields=["gateway", "amount"])
    Payment.objects.bulk_create(_new_payment(order, payment) for payment in payments.added)
