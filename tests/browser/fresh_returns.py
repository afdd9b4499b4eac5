"""What the portal walks set up through the API and the sign-in page: a fresh order and return of
their own (the demo is shared by every test of a worker), and a staff member signed in."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import Page, expect

from returndesk.demo.seed import SELLERS
from returndesk.scenarios.payloads import buyer_payload, line_payload, order_payload
from tests.browser.harness import Demo

# The seeded seller the walks' returns are for, by its demo key's name.
SELLER = next(seller for seller in SELLERS if seller["external_id"] == "S-VOLT")
SELLER_KEY_NAME = "Volt Gadgets"


@dataclass(frozen=True)
class FreshReturn:
    code: str
    order: str  # the order's external id
    order_number: str
    buyer_email: str
    seller_key: str


def _post(demo: Demo, path: str, body: Any, *, key: str) -> Any:
    answer = demo.server.post(path, body, key=key)
    assert answer.status in (200, 201), f"POST {path}: {answer.status} {answer.body[:500]!r}"
    return answer.json()


def fresh_return(demo: Demo, *, approve: bool = True) -> FreshReturn:
    """A new buyer's new order from Volt Gadgets, delivered two days ago, and a return opened on it
    by the demo platform key (and approved by the seller's key unless told not to)."""
    tag = secrets.token_hex(4)
    email = f"Walk.{tag}@Example.com"
    order = order_payload(
        external_id=f"O-WALK-{tag}",
        number=f"9{int(tag, 16):010d}",
        seller=SELLER,
        buyer=buyer_payload(f"B-WALK-{tag}", email=email, name="Walker Example"),
        delivered_at=datetime.now(UTC) - timedelta(days=2),
        lines=[line_payload("L1", sku="VOLT-WALK", title="Travel adapter", unit_price="15.00", weight_g=200)],
    )
    platform, seller_key = demo.secret("platform"), demo.secret("seller", SELLER_KEY_NAME)
    _post(demo, "/api/v1/orders", order, key=platform)
    opened = _post(
        demo,
        "/api/v1/returns",
        {"order": order["external_id"], "lines": [{"line": "L1", "quantity": 1, "reason": "defective"}]},
        key=platform,
    )
    if approve:
        _post(demo, f"/api/v1/returns/{opened['code']}/approve", {}, key=seller_key)
    return FreshReturn(
        code=opened["code"],
        order=order["external_id"],
        order_number=order["number"],
        buyer_email=email,
        seller_key=seller_key,
    )


def seller_receives(demo: Demo, ret: FreshReturn) -> None:
    """The seller records the parcel's arrival through the API."""
    _post(demo, f"/api/v1/returns/{ret.code}/receive", {"note": "Arrived at the warehouse."}, key=ret.seller_key)


def staff_signs_in(page: Page, demo: Demo, *, email: str, role: str, then: str) -> None:
    """Sign in at /sign-in/ with the demo's password for ``email``, by keyboard, landing on ``then``."""
    page.goto(f"/sign-in/?next={then}")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(demo.secret(f"user:{role}", email))
    page.get_by_label("Password").press("Enter")
    expect(page).to_have_url(demo.url + then)
