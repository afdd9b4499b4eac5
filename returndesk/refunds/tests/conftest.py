"""Scenes of the refund ledger's tests: orders with their payments, returns brought to inspection."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import timedelta
from typing import Any

import pytest

from returndesk.core.actors import Actor, ActorKind
from returndesk.marketplace.models import Order, Seller
from returndesk.policies.domain.policy import ReturnPolicy, policy_to_json
from returndesk.policies.domain.reasons import Reason
from returndesk.policies.models import PolicyVersion
from returndesk.returns import services as returns_services
from returndesk.returns.domain.lifecycle import Condition, LineOutcome, Status
from returndesk.returns.domain.requests import LineInspection, RequestedLine
from returndesk.returns.models import Return
from returndesk.scenarios.journeys import return_opened, return_to
from returndesk.testing import NOW, Keys, frozen_clock

# A buyer outside the EU: no right of withdrawal, so the policy's restocking fee applies.
US_BUYER = {
    "external_id": "B-US",
    "email": "b-us@example.com",
    "name": "Buyer US",
    "country": "US",
    "time_zone": "America/New_York",
}


# Returns open at NOW and are inspected within hours; the refunds come a day later.
LATER = NOW + timedelta(days=1)


@pytest.fixture(autouse=True)
def _now() -> Iterator[None]:
    with frozen_clock(LATER):
        yield


def seller_policy(seller: str = "S-A", **fields: Any) -> int:
    """A version of ``seller``'s own (every other field the default's), in force from now."""
    row = PolicyVersion.objects.create(
        seller=Seller.objects.get(external_id=seller),
        document=policy_to_json(ReturnPolicy(**fields)),
        effective_at=NOW,
        actor_kind="platform",
    )
    return row.version


def seller_of(ret: Return) -> Actor:
    return Actor(kind=ActorKind.SELLER_KEY, id="test-seller", seller_id=ret.seller_id)


def inspect(ret: Return, rejected: tuple[str, ...] = ()) -> Return:
    """Inspect every line of an in-hand return: accepted, but the ``rejected`` ones."""
    lines = [
        LineInspection(
            line=line.order_line.external_id,
            outcome=LineOutcome.REJECTED if line.order_line.external_id in rejected else LineOutcome.ACCEPTED,
            condition=Condition.DAMAGED if line.order_line.external_id in rejected else Condition.AS_NEW,
        )
        for line in ret.lines.select_related("order_line")
    ]
    return returns_services.return_inspect(
        code=ret.code, actor=seller_of(ret), lines=lines, now=ret.updated_at + timedelta(hours=1)
    )


@pytest.fixture
def inspected(make_order: Callable[..., Order], keys: Keys) -> Callable[..., Return]:
    """``inspected(order=..., lines=[("L1", 1, "defective")], rejected=("L2",))``: a return opened
    on the order (a fresh default one unless given), approved, received and inspected."""

    def make(
        *,
        order: Order | None = None,
        lines: list[tuple[str, int, str]] | None = None,
        rejected: tuple[str, ...] = (),
    ) -> Return:
        requested = [
            RequestedLine(line=name, quantity=quantity, reason=Reason(reason))
            for name, quantity, reason in lines or [("L1", 1, "defective")]
        ]
        ret = return_opened(order=order or make_order(), lines=requested, actor=keys.actors["platform"], now=NOW)
        ret = return_to(ret, Status.RECEIVED, now=NOW)
        return inspect(ret, rejected)

    return make
