"""What the refund walks set up through the API: an inspected return on a fresh order of their own
(the demo is shared by every test of a worker), paid through the gateway the walk needs."""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.sync_api import Page

from returndesk.demo.seed import SELLERS
from returndesk.scenarios.payloads import buyer_payload, line_payload, order_payload
from tests.browser.harness import Demo, assert_accessible, assert_no_sideways_scroll

# The demo sellers by their external id, with the name of their demo key.
KEY_NAMES = {seller["external_id"]: seller["name"] for seller in SELLERS}


@dataclass(frozen=True)
class Inspected:
    code: str
    buyer: str  # the buyer's external id
    seller_key: str


def post(demo: Demo, path: str, body: Any, *, key: str, idempotency_key: str | None = None) -> Any:
    headers = {"Idempotency-Key": idempotency_key} if idempotency_key else None
    answer = demo.server.post(path, body, key=key, headers=headers)
    assert answer.status in (200, 201), f"POST {path}: {answer.status} {answer.body[:500]!r}"
    return answer.json()


def inspected_return(
    demo: Demo, *, seller: str, title: str, unit_price: str, gateway: str = "", method: str = "card"
) -> Inspected:
    """A new buyer's order of one item from the demo seller ``seller``, delivered two days ago and
    paid by ``method`` through ``gateway`` (blank: the default, the fake one on the demo); a return
    of it (defective) opened by the platform key, approved (unless the seller's policy approved
    it), received and inspected (accepted) by the seller's key."""
    tag = secrets.token_hex(4)
    body = order_payload(
        external_id=f"O-RF-{tag}",
        seller=next(row for row in SELLERS if row["external_id"] == seller),
        buyer=buyer_payload(f"B-RF-{tag}", email=f"refund.{tag}@example.com", name="Rita Fund"),
        delivered_at=datetime.now(UTC) - timedelta(days=2),
        lines=[line_payload("L1", sku=f"RF-{tag}", title=title, unit_price=unit_price, weight_g=300)],
        payment_method=method,
    )
    body["payments"][0]["gateway"] = gateway
    platform, seller_key = demo.secret("platform"), demo.secret("seller", KEY_NAMES[seller])
    post(demo, "/api/v1/orders", body, key=platform)
    opened = post(
        demo,
        "/api/v1/returns",
        {"order": body["external_id"], "lines": [{"line": "L1", "quantity": 1, "reason": "defective"}]},
        key=platform,
    )
    code = opened["code"]
    if opened["status"] == "requested":
        post(demo, f"/api/v1/returns/{code}/approve", {}, key=seller_key)
    post(demo, f"/api/v1/returns/{code}/receive", {}, key=seller_key)
    inspection = {"lines": [{"line": "L1", "outcome": "accepted", "condition": "as_new"}]}
    inspected = post(demo, f"/api/v1/returns/{code}/inspect", inspection, key=seller_key)
    assert inspected["status"] == "inspected", inspected
    return Inspected(code=code, buyer=body["buyer"]["external_id"], seller_key=seller_key)


def checked(page: Page, screenshot: Any, name: str) -> None:
    """Every state a walk reaches: no sideways scroll, axe-clean, on record."""
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    screenshot(page, name)
