"""A buyer's return under Lumen Lighting's policy (the demo's S-LUMEN version: 10 % restocking
fee, Lighting not returnable for a change of mind, auto-approve for ``defective``), in a real
browser at 375 and 1280 px, by keyboard, axe-checked.

The buyer sees why the clearance shade cannot go back for a change of mind (its final-sale
sentence), reviews the costs of returning the cable for a change of mind (the restocking fee, the
suggestion), changes the reason to defective, opens the return and sees it approved at once.

The walk imports an order of its own at S-LUMEN for a buyer of its own (through the API with the
demo platform key), so that it neither depends on nor changes what other test files read.
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from returndesk.demo.seed import SELLERS
from returndesk.scenarios.payloads import buyer_payload, line_payload, order_payload
from tests.browser.conftest import NewContext, Screenshot
from tests.browser.harness import Demo, assert_accessible, assert_no_sideways_scroll

pytestmark = [pytest.mark.served, pytest.mark.browser]

# A page full of links is crossed in far fewer presses; more means focus is stuck somewhere.
MAX_TABS = 60
FINAL_SALE = "Lamp shade, clearance was sold as final sale: returnable only if faulty, wrong or not as described."


def _order_at_lumen(demo: Demo) -> tuple[str, str]:
    """A delivered order at S-LUMEN for a new buyer outside the EU (no withdrawal: the restocking
    fee applies), imported by the demo's platform key: (buyer, order)."""
    suffix = secrets.token_hex(4)
    buyer, order = f"B-POLICY-{suffix}", f"O-POLICY-{suffix}"
    body = order_payload(
        external_id=order,
        seller=SELLERS[0],
        buyer=buyer_payload(buyer, email=f"policy-{suffix}@example.com", country="US", time_zone="America/Chicago"),
        delivered_at=datetime.now(UTC) - timedelta(days=2),
        lines=[
            line_payload("L1", title="Lamp cable, 3 m", unit_price="20.00", category="Accessories"),
            line_payload(
                "L2", title="Lamp shade, clearance", unit_price="9.00", category="Accessories", final_sale=True
            ),
        ],
    )
    answer = demo.server.post("/api/v1/orders", body, key=demo.secret("platform"))
    assert answer.status == 201, answer.body
    return buyer, order


def _signed_in(demo: Demo, new_context: NewContext, width: int, buyer: str) -> Page:
    """A page signed in as ``buyer`` through a portal link the platform made, on /buyer/."""
    made = demo.server.post(f"/api/v1/buyers/{buyer}/portal-links", {}, key=demo.secret("platform"))
    assert made.status == 201, made.body
    page = new_context(width=width).new_page()
    page.goto(made.json()["url"])
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.url.endswith("/buyer/")
    return page


def _checked(page: Page, screenshot: Screenshot, name: str) -> None:
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    screenshot(page, name)


def _tab_to(page: Page, selector: str) -> None:
    """Press Tab until the focused element matches ``selector``, as someone without a mouse would."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("(selector) => document.activeElement?.matches(selector) ?? false", selector):
            return
    raise AssertionError(f"{MAX_TABS} presses of Tab never reached {selector} on {page.url}")


def _press(page: Page, selector: str) -> None:
    """Tab to a button and press Enter: the page it submits to."""
    _tab_to(page, selector)
    with page.expect_navigation():
        page.keyboard.press("Enter")


def test_a_buyer_sees_the_policy_reviews_the_costs_and_opens_an_auto_approved_return(
    demo: Demo, new_context: NewContext, width: int, screenshot: Screenshot, offsite_requests: list[str]
) -> None:
    buyer, order = _order_at_lumen(demo)
    page = _signed_in(demo, new_context, width, buyer)

    lines = page.locator(f'[data-order="{order}"]')
    expect(lines.locator('[data-line="L2"]')).to_have_attribute("data-why-not", "final_sale")
    expect(lines.locator('[data-line="L2"] [data-refusal="final_sale"]')).to_have_text(FINAL_SALE)
    _checked(page, screenshot, "buyer-policy-orders")

    _tab_to(page, f'a[href="/buyer/orders/{order}/return"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    _tab_to(page, 'input[name="line-0-quantity"]')
    page.keyboard.type("1")
    _tab_to(page, 'select[name="line-0-reason"]')
    page.keyboard.type("Changed")

    # The advice follows the answers as they change (htmx), before Open the return: Lumen's 10 %
    # of the cable's 20.00 for a change of mind; shipping it back is still worth it.
    advice = page.locator("#advice")
    expect(advice).to_have_attribute("data-suggestion", "ship")
    expect(advice.locator("[data-restocking-fee]")).to_have_text("2.00 EUR")
    expect(advice.locator("h2")).to_have_text("Send the items back")
    _checked(page, screenshot, "buyer-policy-advice")

    # Defective instead, reviewed by the button (as without JavaScript): no fee, and Lumen
    # approves a defective item's return at once.
    # Home, then down: the first reason after "Choose a reason" (typing would extend the select's
    # type-ahead of "Changed", still running).
    page.locator('select[name="line-0-reason"]').focus()
    page.keyboard.press("Home")
    page.keyboard.press("ArrowDown")
    expect(page.locator('select[name="line-0-reason"]')).to_have_value("defective")
    _press(page, 'button[value="review"]')
    expect(page.locator("#advice")).to_have_attribute("data-auto-approve", "")
    expect(page.locator("#advice [data-restocking-fee]")).to_have_text("0.00 EUR")
    _press(page, 'button[value="open"]')

    expect(page.locator("[data-status]")).to_have_attribute("data-status", "approved")
    _checked(page, screenshot, "buyer-policy-approved")
    code = page.locator("[data-code]").get_attribute("data-code")
    api = demo.api(f"/api/v1/returns/{code}", key=demo.secret("platform"))
    assert (api["order"], api["status"]) == (order, "approved")
    assert [(event["action"], event["actor"]["kind"]) for event in api["timeline"]] == [
        ("request", "buyer"),
        ("approve", "system"),
    ]
    assert offsite_requests == []
