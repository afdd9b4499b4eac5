"""The demo marketplace that ``returndesk serve`` seeds into an empty embedded database.

Orders are placed and returns opened through ``returndesk.scenarios``, and every later step is a
call of the same services the API uses, acting with the demo's own keys: the demo's timelines
are ones the API could have written.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction

from returndesk.accounts.models import ApiKey
from returndesk.accounts.selectors import actor_for_api_key
from returndesk.accounts.services import apikey_create, staff_create
from returndesk.core import clock
from returndesk.core.actors import Actor, ActorKind
from returndesk.demo.keys_file import ADMIN, USER_ROLE_PREFIX, DemoSecret
from returndesk.dropoffs.services import dropoff_point_register
from returndesk.marketplace.models import Order, Seller
from returndesk.policies.domain.reasons import Reason
from returndesk.policies.services import policy_put
from returndesk.receiving import services as receiving_services
from returndesk.refunds import offers
from returndesk.refunds import services as refund_services
from returndesk.returns import services
from returndesk.returns.domain.lifecycle import Condition, LineOutcome
from returndesk.returns.domain.requests import LineInspection, RequestedLine
from returndesk.returns.models import Return
from returndesk.scenarios import journeys
from returndesk.scenarios.payloads import buyer_payload, line_payload, seller_payload

SELLERS: list[dict[str, Any]] = [
    seller_payload(
        "S-LUMEN",
        name="Lumen Lighting",
        country="CN",
        email="returns@lumen.example",
        return_address={
            "name": "Lumen Returns",
            "lines": ["12 Keji Road"],
            "city": "Shenzhen",
            "postal_code": "518057",
            "country": "CN",
        },
    ),
    seller_payload(
        "S-KNIT",
        name="Nordic Knit",
        country="PT",
        email="help@nordicknit.example",
        return_address={
            "name": "Nordic Knit",
            "lines": ["Rua das Flores 40"],
            "city": "Porto",
            "postal_code": "4050-262",
            "country": "PT",
        },
    ),
    seller_payload(
        "S-VOLT",
        name="Volt Gadgets",
        country="DE",
        return_address={
            "name": "Volt Retouren",
            "lines": ["Lagerstrasse 7"],
            "city": "Berlin",
            "postal_code": "10115",
            "country": "DE",
        },
    ),
]
SELLER_IDS = [seller["external_id"] for seller in SELLERS]
# What each seller's demo lines are filed under: Lumen's policy refuses its category for a change
# of mind (``_policies``); the others keep the default, which refuses none.
CATEGORIES = {"S-LUMEN": "Lighting", "S-KNIT": "Knitwear", "S-VOLT": "Electronics"}
BUYERS: list[dict[str, Any]] = [
    buyer_payload("B-ANA", email="ana@example.com", name="Ana Ruiz", locale="es"),
    buyer_payload(
        "B-BEN", name="Ben Carter", country="US", locale="en", time_zone="America/New_York", email="ben@example.com"
    ),
    buyer_payload(
        "B-CHLOE", name="Chloé Martin", country="FR", locale="fr", time_zone="Europe/Paris", email="chloe@example.com"
    ),
]


@dataclass(frozen=True)
class DemoOrder:
    number: int
    seller: int  # index in SELLERS
    buyer: int  # index in BUYERS
    delivered_days_ago: int | None
    lines: tuple[tuple[str, str, int, str, str], ...]  # sku, title, quantity, unit price, paid amount
    # The SKUs among the lines sold as final sale.
    final_sale: frozenset[str] = frozenset()
    # The gateway the order was paid through (blank: the deployment's default, the fake one here).
    payment_gateway: str = ""


ORDERS = [
    DemoOrder(1001, 0, 0, 2, (("LUM-DESK-01", "Desk lamp, brass", 1, "39.90", "35.91"),)),
    DemoOrder(
        1002,
        1,
        1,
        4,
        (("KNIT-SWT-M", "Wool sweater, M", 1, "79.00", "79.00"), ("KNIT-SCF", "Scarf, grey", 1, "25.00", "22.50")),
    ),
    DemoOrder(1003, 2, 2, 8, (("VOLT-PWR-20", "Power bank 20000 mAh", 1, "45.00", "45.00"),)),
    DemoOrder(
        1004,
        2,
        0,
        6,
        (("VOLT-CBL-C", "USB-C cable 2 m", 2, "9.50", "19.00"), ("VOLT-HUB-7", "7-port USB hub", 1, "32.00", "32.00")),
    ),
    DemoOrder(1005, 0, 1, 11, (("LUM-STRIP-5", "LED strip 5 m", 1, "24.99", "24.99"),)),
    DemoOrder(1006, 1, 2, 14, (("KNIT-SOCK-3", "Wool socks, 3 pairs", 2, "18.00", "36.00"),)),
    DemoOrder(1007, 2, 1, 27, (("VOLT-EAR-BT", "Bluetooth earbuds", 1, "59.00", "53.10"),)),
    DemoOrder(1008, 0, 2, None, (("LUM-BULB-4", "Smart bulb, 4-pack", 1, "34.00", "34.00"),)),
    DemoOrder(1009, 1, 0, 40, (("KNIT-HAT", "Beanie", 1, "19.00", "19.00"),)),
]


SHIPPING = "4.99"


def _order_place(order: DemoOrder, *, now: datetime) -> Order:
    delivered = now - timedelta(days=order.delivered_days_ago) if order.delivered_days_ago is not None else None
    paid = sum((Decimal(line[4]) for line in order.lines), Decimal(SHIPPING))
    payments = [{"method": "bank_transfer", "gateway": order.payment_gateway, "amount": str(paid)}]
    return journeys.order_placed(
        now=now,
        external_id=f"O-{order.number}",
        number=f"8{order.number:07d}",
        seller=SELLERS[order.seller],
        buyer=BUYERS[order.buyer],
        placed_at=(delivered or now) - timedelta(days=6),
        delivered_at=delivered,
        shipping_amount=SHIPPING,
        payments=payments if order.payment_gateway else None,
        lines=[
            line_payload(f"L{index}", sku=sku, title=title, quantity=quantity, unit_price=unit, paid_amount=paid,
                         weight_g=400, category=CATEGORIES[SELLERS[order.seller]["external_id"]],
                         final_sale=sku in order.final_sale)
            for index, (sku, title, quantity, unit, paid) in enumerate(order.lines, start=1)
        ],
    )  # fmt: skip


@dataclass(frozen=True)
class DemoKeys:
    secrets: list[DemoSecret]
    platform: Actor
    sellers: dict[str, Actor]  # by seller external id


def _keys() -> DemoKeys:
    wanted: list[tuple[str, str | None, str]] = [
        (ApiKey.Role.PLATFORM, None, "Demo platform"),
        (ApiKey.Role.AGENT, None, "Demo agent (supervisor)"),
        (ApiKey.Role.CARRIER, None, "Demo carrier"),
        *((ApiKey.Role.SELLER, seller["external_id"], seller["name"]) for seller in SELLERS),
    ]
    made, actors = [], {}
    for role, seller_id, name in wanted:
        seller = Seller.objects.get(external_id=seller_id) if seller_id else None
        carrier = DEMO_CARRIER if role == ApiKey.Role.CARRIER else None
        api_key, plaintext = apikey_create(
            role=role, seller=seller, supervisor=role == ApiKey.Role.AGENT, name=name, carrier=carrier
        )
        made.append(DemoSecret(str(role), name, plaintext))
        actors[seller_id or str(role)] = actor_for_api_key(api_key)
    return DemoKeys(made, actors[str(ApiKey.Role.PLATFORM)], {seller: actors[seller] for seller in SELLER_IDS})


# The demo's staff: (email, role, seller, carrier, point). The counter works for the demo carrier
# key's carrier, so the key and the counter share the drop-off point's failure counters.
DEMO_CARRIER = "demo-post"
STAFF: list[tuple[str, str, str | None, str | None, str | None]] = [
    ("manager@lumen.example", "seller_manager", "S-LUMEN", None, None),
    ("manager@knit.example", "seller_manager", "S-KNIT", None, None),
    ("manager@volt.example", "seller_manager", "S-VOLT", None, None),
    ("warehouse@volt.example", "seller_warehouse", "S-VOLT", None, None),
    ("agent@returndesk.example", "agent", None, None, None),
    ("supervisor@returndesk.example", "supervisor", None, None, None),
    ("counter@post.example", "counter", None, DEMO_CARRIER, "DEMO-1"),
]


def demo_staff_create() -> list[DemoSecret]:
    """The demo's staff members with generated passwords, as ``user:<role>`` rows of the keys file."""
    made = []
    for email, role, seller, carrier, point in STAFF:
        _, password = staff_create(email=email, role=role, seller=seller, carrier=carrier, point_id=point)
        made.append(DemoSecret(f"{USER_ROLE_PREFIX}{role}", email, password))
    return made


@transaction.atomic
def demo_staff_add_if_missing() -> list[DemoSecret]:
    """Give a demo database seeded before staff existed its staff (none when it has some)."""
    if demo_is_empty() or demo_has_staff() or Seller.objects.filter(external_id__in=SELLER_IDS).count() != 3:
        return []
    return demo_staff_create()


def demo_has_staff() -> bool:
    return get_user_model().objects.filter(username__in=[email for email, *_ in STAFF]).exists()


def _returns(orders: dict[str, Order], keys: DemoKeys, now: datetime) -> None:
    """One return in each status the services reach today, spread over the past weeks."""
    lumen, knit, volt = (keys.sellers[seller] for seller in SELLER_IDS)

    def opened(order: str, line: str, reason: Reason, days_ago: float, quantity: int = 1) -> Return:
        return journeys.return_opened(
            order=orders[order],
            lines=[RequestedLine(line=line, quantity=quantity, reason=reason)],
            actor=keys.platform,
            now=now - timedelta(days=days_ago),
        )

    def ago(days: float) -> datetime:
        return now - timedelta(days=days)

    opened("O-1001", "L1", Reason.DEFECTIVE, 0.2)
    approved = opened("O-1002", "L1", Reason.SIZE_FIT, 3)
    services.return_approve(code=approved.code, actor=knit, now=ago(2))
    rejected = opened("O-1003", "L1", Reason.CHANGED_MIND, 6)
    services.return_reject(code=rejected.code, actor=volt, reason="Opened software cannot be returned.", now=ago(5))
    cancelled = opened("O-1004", "L2", Reason.OTHER, 4)
    services.return_cancel(code=cancelled.code, actor=keys.platform, reason="Buyer found the missing part.", now=ago(3))
    received = opened("O-1005", "L1", Reason.NOT_AS_DESCRIBED, 9)
    services.return_approve(code=received.code, actor=lumen, now=ago(8))
    services.return_receive(code=received.code, actor=lumen, note="Box intact.", now=ago(1))
    inspected = opened("O-1006", "L1", Reason.WRONG_ITEM, 12, quantity=2)
    services.return_approve(code=inspected.code, actor=knit, now=ago(11))
    services.return_receive(code=inspected.code, actor=knit, now=ago(4))
    services.return_inspect(
        code=inspected.code,
        actor=knit,
        now=ago(3),
        lines=[LineInspection(line="L1", outcome=LineOutcome.ACCEPTED, condition=Condition.AS_NEW)],
    )
    closed = opened("O-1007", "L1", Reason.CHANGED_MIND, 25)
    services.return_reject(code=closed.code, actor=volt, reason="Outside the seller's free-return terms.", now=ago(24))
    services.return_close(code=closed.code, actor=keys.platform, now=ago(8))
    # Approved, but never handed over by its ship-by date (three days ago): the counter says expired.
    expired = opened("O-1009", "L1", Reason.SIZE_FIT, 14)
    services.return_approve(code=expired.code, actor=knit, now=ago(13))


# Lumen Lighting's own policy, made after the returns above: they keep version 1, the default.
LUMEN_POLICY: dict[str, object] = {
    "restocking_fee_percent": "10",
    # Refunds above this wait for customer service to release them (the demo's held refund).
    "hold_refunds_above": {"EUR": "100.00"},
    "non_returnable_categories": ["Lighting"],
    "non_returnable_skus": ["LUM-BULB-6"],
    "auto_approve": {"reasons": ["defective"], "max_line_paid": {}, "max_days_since_delivery": None},
}


def _policies(keys: DemoKeys, now: datetime) -> None:
    """A version of Lumen Lighting's own, put by the platform's key as the API would (only the
    platform sets a hold limit); Nordic Knit and Volt Gadgets keep the default."""
    policy_put(actor=keys.platform, seller="S-LUMEN", body=LUMEN_POLICY, now=now - timedelta(minutes=5))


# Ana's orders at Lumen Lighting placed after its policy: what her portal says cannot be returned,
# and why. A lamp delivered 20 days ago is past her 14 days of withdrawal, so Lumen's Lighting
# category refuses a change of mind (a fault stays returnable), and its bulbs' SKU too; the
# clearance shade is final sale;
# one order is on its way, one past its window. (Her desk lamp of O-1001 is already in a return.)
REFUSAL_ORDERS = [
    DemoOrder(
        1010,
        0,
        0,
        20,
        (
            ("LUM-PEND-1", "Pendant lamp, opal", 1, "89.00", "89.00"),
            ("LUM-SHADE-C", "Lamp shade, clearance", 1, "12.00", "9.60"),
            ("LUM-BULB-6", "LED bulbs, pack of 6", 1, "18.00", "18.00"),
        ),
        final_sale=frozenset({"LUM-SHADE-C"}),
    ),
    DemoOrder(1011, 0, 0, None, (("LUM-FLOOR-2", "Floor lamp, walnut", 1, "149.00", "149.00"),)),
    DemoOrder(1012, 0, 0, 45, (("LUM-WALL-3", "Wall light, pair", 2, "35.00", "70.00"),)),
]


def _parcels(keys: DemoKeys, now: datetime) -> None:
    """A parcel that reached Volt Gadgets' warehouse without a readable code: unmatched."""
    receiving_services.parcel_create(
        actor=keys.sellers["S-VOLT"],
        tracking_number="RR123456785GB",
        sender_name="A. Walker",
        contents="A travel adapter in a padded envelope, no packing slip",
        note="The label was torn off in transit.",
        now=now - timedelta(hours=5),
    )


# Issue 9's money, on Lumen Lighting's returns of Ben's and Chloé's orders, after the returns above
# and Lumen's policy: a refund paid two days ago (dated), an inspected return with an open offer, a
# refund above Lumen's hold limit waiting for customer service, and a bank transfer refunded by hand
# that the seller has not confirmed yet.
REFUND_ORDERS = [
    DemoOrder(1013, 0, 2, 9, (("LUM-TBL-2", "Table lamp, linen", 1, "59.00", "59.00"),)),
    DemoOrder(1014, 0, 1, 7, (("LUM-SPOT-3", "Spotlights, set of 3", 1, "45.00", "45.00"),)),
    DemoOrder(1015, 0, 2, 5, (("LUM-CHND-1", "Chandelier, brass", 1, "189.00", "189.00"),)),
    DemoOrder(1016, 0, 1, 6, (("LUM-DESK-02", "Desk lamp, black", 1, "42.00", "42.00"),), payment_gateway="manual"),
]


def _refunds(keys: DemoKeys, now: datetime) -> None:
    """Lumen Lighting's refunds and offer (``REFUND_ORDERS``), through the services the API calls."""
    lumen = keys.sellers["S-LUMEN"]

    def inspected(order: DemoOrder, opened_at: datetime, inspected_at: datetime) -> str:
        placed = _order_place(order, now=now)
        ret = journeys.return_opened(
            order=placed,
            # Not as described: the seller's fault (no fee), and not one Lumen approves by itself.
            lines=[RequestedLine(line="L1", quantity=1, reason=Reason.NOT_AS_DESCRIBED)],
            actor=keys.platform,
            now=opened_at,
        )
        step = (inspected_at - opened_at) / 3
        services.return_approve(code=ret.code, actor=lumen, now=opened_at + step)
        services.return_receive(code=ret.code, actor=lumen, now=opened_at + 2 * step)
        services.return_inspect(
            code=ret.code,
            actor=lumen,
            now=opened_at + 3 * step,
            lines=[LineInspection(line="L1", outcome=LineOutcome.ACCEPTED, condition=Condition.AS_NEW)],
        )
        return ret.code

    def refunded(code: str, at: datetime) -> None:
        refund_services.return_refund(code=code, actor=lumen, request_key=f"demo-{code}", now=at)

    def ago(**delta: float) -> datetime:
        return now - timedelta(**delta)

    dated, offered, held, manual = REFUND_ORDERS
    refunded(inspected(dated, ago(days=6), ago(days=3)), ago(days=2))
    offer_code = inspected(offered, ago(days=3), ago(days=1))
    offers.return_offer(
        code=offer_code,
        actor=lumen,
        amount=Decimal("15.00"),
        message="Keep the spotlights: one flickers, the other two work. We refund a third.",
        now=ago(hours=6),
    )
    # Opened after Lumen's policy (five minutes ago), whose hold limit it passes.
    refunded(inspected(held, ago(minutes=4), ago(minutes=1)), ago(seconds=30))
    refunded(inspected(manual, ago(days=5), ago(days=2)), ago(days=1))


@transaction.atomic
def demo_seed(*, now: datetime | None = None) -> list[DemoSecret]:
    """Create the demo marketplace, its keys and an admin user; their secrets, to be shown once."""
    now = now or clock.now()
    orders = {order.external_id: order for order in (_order_place(order, now=now) for order in ORDERS)}
    keys = _keys()
    password = secrets.token_urlsafe(12)
    get_user_model().objects.create_superuser(ADMIN, "admin@example.com", password)
    _returns(orders, keys, now)
    _policies(keys, now)
    for order in REFUSAL_ORDERS:
        _order_place(order, now=now)
    _parcels(keys, now)
    _refunds(keys, now)
    staff = demo_staff_create()
    demo_point_register(now=now)
    return [*keys.secrets, DemoSecret(ADMIN, f"Django admin user '{ADMIN}' (password)", password), *staff]


# The demo counter's drop-off point (``counter@post.example`` works there), the demo carrier's.
DEMO_POINT_ADDRESS = {
    "name": "Demo Post",
    "lines": ["1 Market Street"],
    "city": "Lyon",
    "postal_code": "69001",
    "country": "FR",
}


def demo_point_register(*, now: datetime) -> None:
    """Register the demo counter's point ``DEMO-1`` for the demo carrier, as its key would."""
    dropoff_point_register(
        actor=Actor(kind=ActorKind.CARRIER, id="demo-seed", carrier=DEMO_CARRIER),
        point_id="DEMO-1",
        name="Demo Post, Market Street",
        address=DEMO_POINT_ADDRESS,
        now=now,
    )


def demo_is_empty() -> bool:
    return not Order.objects.exists()
