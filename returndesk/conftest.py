"""Factories and fixtures shared by the apps' tests: real services, no mocks."""

from __future__ import annotations

import itertools
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from django.test import Client

from returndesk.accounts.selectors import actor_for_api_key, apikey_cache_clear
from returndesk.accounts.services import apikey_create
from returndesk.core.actors import Actor
from returndesk.marketplace.models import Order, Seller
from returndesk.marketplace.schemas import OrderIn
from returndesk.marketplace.services import order_import
from returndesk.returns import services
from returndesk.returns.domain.lifecycle import Reason
from returndesk.returns.domain.requests import RequestedLine
from returndesk.returns.models import Return

NOW = datetime(2026, 3, 10, 12, 0, tzinfo=UTC)
_numbers = itertools.count(1)


def order_payload(
    *,
    external_id: str | None = None,
    seller: str = "S-A",
    buyer: str = "B-1",
    delivered_at: datetime | None = NOW - timedelta(days=3),
    currency: str = "EUR",
    lines: list[dict[str, Any]] | None = None,
    **overrides: Any,
) -> dict[str, Any]:
    """A valid order import body; every part can be overridden."""
    number = next(_numbers)
    payload: dict[str, Any] = {
        "external_id": external_id or f"O-{number}",
        "number": f"N{number}",
        "currency": currency,
        "placed_at": (NOW - timedelta(days=10)).isoformat(),
        "delivered_at": delivered_at.isoformat() if delivered_at else None,
        "shipping_amount": "5.00",
        "seller": {
            "external_id": seller,
            "name": f"Seller {seller}",
            "country": "DE",
            "return_address": {
                "name": "Returns",
                "lines": ["Street 1"],
                "city": f"City of {seller}",
                "postal_code": "10115",
                "country": "DE",
            },
        },
        "buyer": {
            "external_id": buyer,
            "email": f"{buyer.lower()}@example.com",
            "name": f"Buyer {buyer}",
            "country": "ES",
            "time_zone": "Europe/Madrid",
        },
        "payments": [{"method": "card", "amount": "65.00"}],
        "lines": lines
        if lines is not None
        else [
            {
                "external_id": "L1",
                "sku": "SKU-1",
                "title": "Lamp",
                "quantity": 2,
                "unit_price": "20.00",
                "paid_amount": "36.00",
                "category": "home",
                "weight_g": 500,
            },
            {
                "external_id": "L2",
                "sku": "SKU-2",
                "title": "Cable",
                "quantity": 1,
                "unit_price": "24.00",
                "paid_amount": "24.00",
                "category": "electronics",
                "weight_g": 100,
            },
        ],
    }
    payload.update(overrides)
    return payload


@pytest.fixture
def make_order(db: None) -> Callable[..., Order]:
    def make(**kwargs: Any) -> Order:
        order, _ = order_import(data=OrderIn.model_validate(order_payload(**kwargs)).to_import(), now=NOW)
        return order

    return make


class Keys:
    """API keys and their actors for each kind of caller, created on demand."""

    def __init__(self) -> None:
        self.tokens: dict[str, str] = {}
        self.actors: dict[str, Actor] = {}

    def make(self, name: str, *, role: str, seller: str | None = None, supervisor: bool = False) -> str:
        seller_row = None
        if seller is not None:
            seller_row, _ = Seller.objects.get_or_create(
                external_id=seller, defaults={"name": f"Seller {seller}", "country": "DE", "created_at": NOW}
            )
        key, token = apikey_create(role=role, seller=seller_row, supervisor=supervisor, name=name)
        self.tokens[name], self.actors[name] = token, actor_for_api_key(key)
        return token

    def client(self, name: str | None) -> Client:
        """A test client sending this key (or none, for name None)."""
        headers = {"Authorization": f"Bearer {self.tokens[name]}"} if name else {}
        return Client(headers=headers)


@pytest.fixture
def keys(db: None) -> Keys:
    """platform, agent, supervisor, carrier, seller_a (S-A), seller_b (S-B)."""
    apikey_cache_clear()
    made = Keys()
    made.make("platform", role="platform")
    made.make("agent", role="agent")
    made.make("supervisor", role="agent", supervisor=True)
    made.make("carrier", role="carrier")
    made.make("seller_a", role="seller", seller="S-A")
    made.make("seller_b", role="seller", seller="S-B")
    return made


@pytest.fixture
def make_return(make_order: Callable[..., Order], keys: Keys) -> Callable[..., Return]:
    """Open a return on a fresh order of seller S-A (or on ``order``) at NOW."""

    def make(
        *,
        order: Order | None = None,
        line: str = "L1",
        quantity: int = 1,
        reason: Reason = Reason.DEFECTIVE,
        now: datetime = NOW,
    ) -> Return:
        order = order or make_order()
        return services.return_open(
            actor=keys.actors["platform"],
            order_external_id=order.external_id,
            lines=[RequestedLine(line=line, quantity=quantity, reason=reason)],
            now=now,
        )

    return make
