"""The buyer's walks in a real browser, at 375 and 1280 px, checked on the page and through the API.

1. A buyer asks for a sign-in link (an unknown address gets the same page), opens the mailed link
   twice (opening uses nothing), signs in, opens a return by keyboard alone and sees its code; the
   link is then 410 ``sign_in_link_invalid``.
5. A portal link made by the platform signs the buyer in once and lands on the return; a form
   posted without its CSRF token is 403 ``csrf_failed``; a fourth link request for one address
   within an hour is 429 ``rate_limited``.

Every walk imports an order of its own, for a buyer and a seller of its own (through the API with
the demo platform key), so that it neither depends on nor changes what other test files read on
the same demo server: the seeded buyers' orders, the demo sellers' queues, and each address's
sign-in link limit.
"""

from __future__ import annotations

import re
import secrets
import time
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, Response, expect

from returndesk.returns.domain import codes
from returndesk.scenarios.payloads import buyer_payload, line_payload, order_payload, seller_payload
from tests.browser.conftest import NewContext, Screenshot
from tests.browser.harness import Demo, assert_accessible, assert_no_sideways_scroll

pytestmark = [pytest.mark.served, pytest.mark.browser]

GROUPED_CODE = re.compile(r"^[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]{4}-[0-9A-Z]$")
# A page full of links is crossed in far fewer presses; more means focus is stuck somewhere.
MAX_TABS = 60
MAIL_WAIT_SECONDS = 10.0


@dataclass(frozen=True)
class WalkOrder:
    buyer: str
    email: str
    order: str


def _order_of_our_own(demo: Demo) -> WalkOrder:
    """A delivered order of a new buyer from a new seller, imported by the demo's platform key."""
    suffix = secrets.token_hex(4)
    walk = WalkOrder(buyer=f"B-WALK-{suffix}", email=f"walk-{suffix}@example.com", order=f"O-WALK-{suffix}")
    delivered = datetime.now(UTC) - timedelta(days=2)
    body = order_payload(
        external_id=walk.order,
        seller=seller_payload("S-WALK", name="Walk Lamps"),
        buyer=buyer_payload(walk.buyer, email=walk.email, name="Walker"),
        delivered_at=delivered,
        lines=[
            line_payload("L1", title="Reading lamp", quantity=2, unit_price="25.00", weight_g=800),
            line_payload("L2", title="Gift card", final_sale=True),
        ],
    )
    answer = demo.server.post("/api/v1/orders", body, key=demo.secret("platform"))
    assert answer.status == 201, answer.body
    return walk


def _mailed_link(demo: Demo, address: str) -> str:
    """The sign-in link in the newest message to ``address`` (mail is written as the request commits)."""
    deadline = time.monotonic() + MAIL_WAIT_SECONDS
    while not (messages := demo.mail(to=address)) and time.monotonic() < deadline:
        time.sleep(0.1)
    assert messages, f"no mail to {address}"
    (link,) = [link for link in messages[0].links if "/buyer/link/" in link]
    return link


def _checked(page: Page, screenshot: Screenshot, name: str) -> None:
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    screenshot(page, name)


def _status(answer: Response | None) -> int:
    assert answer is not None
    return answer.status


def _tab_to(page: Page, selector: str) -> None:
    """Press Tab until the focused element matches ``selector``, as someone without a mouse would."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("(selector) => document.activeElement?.matches(selector) ?? false", selector):
            return
    raise AssertionError(f"{MAX_TABS} presses of Tab never reached {selector} on {page.url}")


def _ask_for_a_link(page: Page, address: str) -> str:
    """Send the Email form; the page's main text with the address taken out."""
    page.goto("/buyer/")
    page.get_by_role("textbox", name="Email").fill(address)
    with page.expect_navigation():
        page.get_by_role("button", name="Send me a sign-in link").click()
    return page.locator("main").inner_text().replace(address, "ADDRESS")


def _sign_in(page: Page, link: str) -> int:
    """Open the link and press Sign in; the answer's status."""
    page.goto(link)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Sign in").click()
    return _status(navigation.value)


def _ask_then_sign_in(page: Page, demo: Demo, walk: WalkOrder, screenshot: Screenshot) -> str:
    """Ask for a link (an unknown address first: the same page), open it twice, press Sign in; the link."""
    assert _status(page.goto("/buyer/")) == 200
    expect(page.get_by_role("textbox", name="Email")).to_be_visible()
    _checked(page, screenshot, "buyer-sign-in")
    unknown = _ask_for_a_link(page, f"nobody-{secrets.token_hex(4)}@example.com")
    known = _ask_for_a_link(page, walk.email)
    assert known == unknown
    expect(page.locator("[data-sent]")).to_be_visible()
    _checked(page, screenshot, "buyer-link-sent")

    link = _mailed_link(demo, walk.email)
    for _ in range(2):
        assert _status(page.goto(link)) == 200
        expect(page.get_by_role("button", name="Sign in")).to_be_visible()
    _checked(page, screenshot, "buyer-link")
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.url.endswith("/buyer/")
    order = page.locator(f'[data-order="{walk.order}"]')
    expect(order.locator('[data-line="L1"]')).to_have_attribute("data-returnable", "2")
    expect(order.locator('[data-line="L2"]')).to_have_attribute("data-why-not", "final_sale")
    _checked(page, screenshot, "buyer-orders")
    return link


def _open_a_return_by_keyboard(page: Page, walk: WalkOrder, screenshot: Screenshot) -> None:
    """From the orders page, with Tab, typing and Enter only: one unit of L1, defective."""
    _tab_to(page, f'a[href="/buyer/orders/{walk.order}/return"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")
    # The gift card is final sale: returnable if faulty (issue 8), so it has a fieldset too.
    expect(page.locator("fieldset legend")).to_have_text(["Reading lamp", "Gift card"])
    _tab_to(page, 'input[name="line-0-quantity"]')
    page.keyboard.type("1")
    _tab_to(page, 'select[name="line-0-reason"]')
    page.keyboard.type("Defective")
    _tab_to(page, 'textarea[name="line-0-note"]')
    page.keyboard.type("It flickers.")
    _checked(page, screenshot, "buyer-return-form")
    _tab_to(page, 'form[data-form="open-return"] button[type="submit"]')
    with page.expect_navigation():
        page.keyboard.press("Enter")


def _the_code_shown(page: Page) -> str:
    """The return page's code: canonical in ``data-code``, grouped on the page; Copy (by Space) copies it grouped."""
    shown = page.locator("[data-code]")
    code = shown.get_attribute("data-code")
    assert code is not None
    assert codes.has_valid_check(code)
    assert GROUPED_CODE.match(codes.display(code))
    expect(shown.locator("[data-code-display]")).to_have_text(codes.display(code))
    assert page.url.endswith(f"/buyer/returns/{code}")
    expect(page.locator("[data-status]")).to_have_attribute("data-status", "requested")
    _tab_to(page, "button[data-copy-code]")
    page.keyboard.press("Space")
    expect(page.locator("[data-copy-status]")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == codes.display(code)
    return code


def test_a_buyer_signs_in_by_mail_and_opens_a_return_by_keyboard(
    demo: Demo, new_context: NewContext, width: int, screenshot: Screenshot, offsite_requests: list[str]
) -> None:
    walk = _order_of_our_own(demo)
    page = new_context(width=width, permissions=["clipboard-read", "clipboard-write"]).new_page()

    link = _ask_then_sign_in(page, demo, walk, screenshot)
    _open_a_return_by_keyboard(page, walk, screenshot)
    code = _the_code_shown(page)
    _checked(page, screenshot, "buyer-return")

    api = demo.api(f"/api/v1/returns/{code}", key=demo.secret("platform"))
    assert (api["buyer"], api["order"], api["status"]) == (walk.buyer, walk.order, "requested")
    assert [(line["line"], line["quantity"], line["reason"]) for line in api["lines"]] == [("L1", 1, "defective")]
    used = new_context(width=width).new_page()
    assert _sign_in(used, link) == 410
    expect(used.locator('[data-problem="sign_in_link_invalid"]')).to_be_visible()
    expect(used.get_by_role("textbox", name="Email")).to_be_visible()
    _checked(used, screenshot, "buyer-link-used")
    assert offsite_requests == []


def test_a_portal_link_signs_in_once_and_lands_on_the_return(
    demo: Demo, new_context: NewContext, width: int, screenshot: Screenshot, offsite_requests: list[str]
) -> None:
    walk = _order_of_our_own(demo)
    platform = demo.secret("platform")
    opened = demo.server.post(
        "/api/v1/returns",
        {"order": walk.order, "lines": [{"line": "L1", "quantity": 2, "reason": "size_fit"}]},
        key=platform,
    )
    assert opened.status == 201, opened.body
    code = opened.json()["code"]
    made = demo.server.post(f"/api/v1/buyers/{walk.buyer}/portal-links", {"return": code}, key=platform)
    assert made.status == 201, made.body
    link = made.json()["url"]
    page = new_context(width=width).new_page()

    assert _sign_in(page, link) == 200
    assert page.url.endswith(f"/buyer/returns/{code}")
    expect(page.locator("[data-code]")).to_have_attribute("data-code", code)
    expect(page.locator('section[aria-labelledby="timeline-heading"] ol > li')).to_have_count(1)
    _checked(page, screenshot, "buyer-portal-link")

    # The cancel form without its CSRF token (as a forged cross-site form would come) changes nothing.
    page.get_by_role("link", name="Cancel the return").click()
    page.locator('form[data-form="cancel-return"] input[name="csrfmiddlewaretoken"]').evaluate(
        "(input) => input.remove()"
    )
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Cancel the return").click()
    assert _status(navigation.value) == 403
    expect(page.locator('[data-problem="csrf_failed"]')).to_be_visible()
    _checked(page, screenshot, "buyer-csrf-failed")
    assert demo.api(f"/api/v1/returns/{code}", key=platform)["status"] == "requested"

    again = new_context(width=width).new_page()
    assert _sign_in(again, link) == 410
    expect(again.locator('[data-problem="sign_in_link_invalid"]')).to_be_visible()
    assert offsite_requests == []


def test_a_fourth_link_request_for_one_address_within_an_hour_is_429(
    demo: Demo, new_context: NewContext, screenshot: Screenshot, offsite_requests: list[str]
) -> None:
    # Once, at phone width: every request counts against the demo's limit per client too (20 an
    # hour from 127.0.0.1, shared with every other browser test on this server).
    walk = _order_of_our_own(demo)
    page = new_context(width=375).new_page()

    for _ in range(3):
        _ask_for_a_link(page, walk.email)
        expect(page.locator("[data-sent]")).to_be_visible()
    page.get_by_role("textbox", name="Email").fill(walk.email)
    with page.expect_navigation() as navigation:
        page.get_by_role("button", name="Send me a sign-in link").click()

    refused = navigation.value
    assert refused is not None
    assert refused.status == 429
    assert int(refused.headers["retry-after"]) > 0
    expect(page.locator('[data-problem="rate_limited"]')).to_be_visible()
    _checked(page, screenshot, "buyer-rate-limited")
    assert len(demo.mail(to=walk.email)) == 3
    assert offsite_requests == []
