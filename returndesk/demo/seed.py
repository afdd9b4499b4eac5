"""The demo marketplace that ``returndesk serve`` seeds into an empty embedded database.

Everything goes through the same services the API uses, so the demo's timelines are real.
"""

from __future__ import annotations

import os
import secrets
from datetime import datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction

from returndesk.accounts.models import ApiKey
from returndesk.accounts.selectors import actor_for_api_key
from returndesk.accounts.services import apikey_create
from returndesk.core import clock
from returndesk.core.actors import Actor
from returndesk.marketplace.domain.orders import OrderImport
from returndesk.marketplace.models import Order, Seller
from returndesk.marketplace.schemas import OrderIn
from returndesk.marketplace.services import order_import
from returndesk.returns import services as returns
from returndesk.returns.domain.lifecycle import Condition, LineOutcome, Reason
from returndesk.returns.domain.requests import LineInspection, RequestedLine

KEYS_FILE = "demo-keys.txt"

SELLERS: list[dict[str, Any]] = [
    {
        "external_id": "S-LUMEN",
        "name": "Lumen Lighting",
        "country": "CN",
        "email": "returns@lumen.example",
        "return_address": {
            "name": "Lumen Returns",
            "lines": ["12 Keji Road"],
            "city": "Shenzhen",
            "postal_code": "518057",
            "country": "CN",
        },
    },
    {
        "external_id": "S-KNIT",
        "name": "Nordic Knit",
        "country": "PT",
        "email": "help@nordicknit.example",
        "return_address": {
            "name": "Nordic Knit",
            "lines": ["Rua das Flores 40"],
            "city": "Porto",
            "postal_code": "4050-262",
            "country": "PT",
        },
    },
    {
        "external_id": "S-VOLT",
        "name": "Volt Gadgets",
        "country": "DE",
        "return_address": {
            "name": "Volt Retouren",
            "lines": ["Lagerstrasse 7"],
            "city": "Berlin",
            "postal_code": "10115",
            "country": "DE",
        },
    },
]
BUYERS: list[dict[str, Any]] = [
    {
        "external_id": "B-ANA",
        "email": "ana@example.com",
        "name": "Ana Ruiz",
        "country": "ES",
        "locale": "es",
        "time_zone": "Europe/Madrid",
    },
    {
        "external_id": "B-BEN",
        "email": "ben@example.com",
        "name": "Ben Carter",
        "country": "US",
        "locale": "en",
        "time_zone": "America/New_York",
    },
    {
        "external_id": "B-CHLOE",
        "email": "chloe@example.com",
        "name": "Chloé Martin",
        "country": "FR",
        "locale": "fr",
        "time_zone": "Europe/Paris",
    },
]


def _order(
    number: int,
    seller: int,
    buyer: int,
    delivered_days_ago: int | None,
    *,
    now: datetime,
    lines: list[tuple[str, str, int, str, str]],
    currency: str = "EUR",
) -> OrderImport:
    paid = sum((Decimal(line[4]) for line in lines), Decimal(0))
    delivered = now - timedelta(days=delivered_days_ago) if delivered_days_ago is not None else None
    return OrderIn.model_validate(
        {
            "external_id": f"O-{number}",
            "number": f"8{number:07d}",
            "currency": currency,
            "placed_at": now - timedelta(days=(delivered_days_ago or 0) + 6),
            "delivered_at": delivered,
            "shipping_amount": "4.99",
            "seller": SELLERS[seller],
            "buyer": BUYERS[buyer],
            "payments": [
                {
                    "method": "card",
                    "gateway": "demo",
                    "reference": f"ch_{number}",
                    "amount": str(paid + Decimal("4.99")),
                }
            ],
            "lines": [
                {
                    "external_id": f"L{index}",
                    "sku": sku,
                    "title": title,
                    "quantity": quantity,
                    "unit_price": unit,
                    "paid_amount": line_paid,
                    "category": "general",
                    "weight_g": 400,
                }
                for index, (sku, title, quantity, unit, line_paid) in enumerate(lines, start=1)
            ],
        }
    ).to_import()


def _keys() -> list[tuple[str, str, str]]:
    wanted: list[tuple[str, str | None, str]] = [
        ("platform", None, "Demo platform"),
        ("agent", None, "Demo agent (supervisor)"),
        ("carrier", None, "Demo carrier"),
        *(("seller", s["external_id"], s["name"]) for s in SELLERS),
    ]
    made = []
    for role, seller_id, name in wanted:
        seller = Seller.objects.get(external_id=seller_id) if seller_id else None
        _, plaintext = apikey_create(role=role, seller=seller, supervisor=role == "agent", name=name)
        made.append((role, name, plaintext))
    return made


def _actor(role: str, seller: str | None = None) -> Actor:
    key = (
        ApiKey.objects.filter(role=role, seller__external_id=seller).first()
        if seller
        else ApiKey.objects.filter(role=role).first()
    )
    assert key is not None
    return actor_for_api_key(key)


def _returns(now: datetime) -> None:
    platform = _actor("platform")
    lumen, knit, volt = (_actor("seller", s["external_id"]) for s in SELLERS)

    def open_return(order: str, line: str, reason: str, days_ago: float, quantity: int = 1) -> str:
        return returns.return_open(
            actor=platform,
            order_external_id=order,
            now=now - timedelta(days=days_ago),
            lines=[RequestedLine(line=line, quantity=quantity, reason=Reason(reason), note="")],
        ).code

    open_return("O-1001", "L1", "defective", 0.2)
    approved = open_return("O-1002", "L1", "size_fit", 3)
    returns.return_approve(code=approved, actor=knit, now=now - timedelta(days=2))
    rejected = open_return("O-1003", "L1", "changed_mind", 6)
    returns.return_reject(
        code=rejected, actor=volt, reason="Opened software cannot be returned.", now=now - timedelta(days=5)
    )
    cancelled = open_return("O-1004", "L2", "other", 4)
    returns.return_cancel(
        code=cancelled, actor=platform, reason="Buyer found the missing part.", now=now - timedelta(days=3)
    )
    received = open_return("O-1005", "L1", "not_as_described", 9)
    returns.return_approve(code=received, actor=lumen, now=now - timedelta(days=8))
    returns.return_receive(code=received, actor=lumen, note="Box intact.", now=now - timedelta(days=1))
    inspected = open_return("O-1006", "L1", "wrong_item", 12, quantity=2)
    returns.return_approve(code=inspected, actor=knit, now=now - timedelta(days=11))
    returns.return_receive(code=inspected, actor=knit, now=now - timedelta(days=4))
    returns.return_inspect(
        code=inspected,
        actor=knit,
        now=now - timedelta(days=3),
        lines=[LineInspection(line="L1", outcome=LineOutcome.ACCEPTED, condition=Condition.AS_NEW)],
    )
    closed = open_return("O-1007", "L1", "changed_mind", 25)
    returns.return_reject(
        code=closed, actor=volt, reason="Outside the seller's free-return terms.", now=now - timedelta(days=24)
    )
    returns.return_close(code=closed, actor=platform, now=now - timedelta(days=8))


@transaction.atomic
def demo_seed(*, now: datetime | None = None) -> list[tuple[str, str, str]]:
    """Create the demo marketplace, its keys and an admin user; return (role, name, secret) rows."""
    now = now or clock.now()
    orders = [
        _order(1001, 0, 0, 2, now=now, lines=[("LUM-DESK-01", "Desk lamp, brass", 1, "39.90", "35.91")]),
        _order(
            1002,
            1,
            1,
            4,
            now=now,
            lines=[
                ("KNIT-SWT-M", "Wool sweater, M", 1, "79.00", "79.00"),
                ("KNIT-SCF", "Scarf, grey", 1, "25.00", "22.50"),
            ],
        ),
        _order(1003, 2, 2, 8, now=now, lines=[("VOLT-PWR-20", "Power bank 20000 mAh", 1, "45.00", "45.00")]),
        _order(
            1004,
            2,
            0,
            6,
            now=now,
            lines=[
                ("VOLT-CBL-C", "USB-C cable 2 m", 2, "9.50", "19.00"),
                ("VOLT-HUB-7", "7-port USB hub", 1, "32.00", "32.00"),
            ],
        ),
        _order(1005, 0, 1, 11, now=now, lines=[("LUM-STRIP-5", "LED strip 5 m", 1, "24.99", "24.99")]),
        _order(1006, 1, 2, 14, now=now, lines=[("KNIT-SOCK-3", "Wool socks, 3 pairs", 2, "18.00", "36.00")]),
        _order(1007, 2, 1, 27, now=now, lines=[("VOLT-EAR-BT", "Bluetooth earbuds", 1, "59.00", "53.10")]),
        _order(1008, 0, 2, None, now=now, lines=[("LUM-BULB-4", "Smart bulb, 4-pack", 1, "34.00", "34.00")]),
        _order(1009, 1, 0, 40, now=now, lines=[("KNIT-HAT", "Beanie", 1, "19.00", "19.00")]),
    ]
    for order in orders:
        order_import(data=order, now=now)
    keys = _keys()
    password = secrets.token_urlsafe(12)
    get_user_model().objects.create_superuser("admin", "admin@example.com", password)
    keys.append(("admin", "Django admin user 'admin' (password)", password))
    _returns(now)
    return keys


def demo_is_empty() -> bool:
    return not Order.objects.exists()


def keys_file() -> Path:
    return Path(settings.DATA_DIR) / KEYS_FILE


def keys_write(keys: list[tuple[str, str, str]]) -> Path:
    """Write the demo secrets where only this user can read them."""
    path = keys_file()
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as handle:
        handle.writelines(f"{role}\t{name}\t{secret}\n" for role, name, secret in keys)
    os.chmod(path, 0o600)
    return path
