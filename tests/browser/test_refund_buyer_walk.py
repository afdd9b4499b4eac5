"""Issue 9's buyer walk: the seller offers a partial refund on an inspected return; the buyer,
signed in through a portal link, sees the offer with its expiry, accepts it by keyboard and sees
the refund's breakdown with the dates the money is expected between. The API agrees.
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import NewContext, Screenshot
from tests.browser.harness import Demo
from tests.browser.refund_returns import checked, inspected_return, post

pytestmark = [pytest.mark.served, pytest.mark.browser]

MAX_TABS = 60
PHONE = 375
RANGE = re.compile(r"^\d{4}-\d{2}-\d{2}/\d{4}-\d{2}-\d{2}$")


def _signed_in_on(demo: Demo, page: Page, buyer: str, code: str) -> None:
    made = post(demo, f"/api/v1/buyers/{buyer}/portal-links", {"return": code}, key=demo.secret("platform"))
    page.goto(made["url"])
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()
    assert page.url.endswith(f"/buyer/returns/{code}")


def test_the_buyer_sees_the_offer_accepts_it_and_sees_when_the_money_arrives(
    demo: Demo, new_context: NewContext, offsite_requests: list[str], screenshot: Screenshot
) -> None:
    ret = inspected_return(demo, seller="S-VOLT", title="Desk fan", unit_price="40.00")
    post(
        demo,
        f"/api/v1/returns/{ret.code}/offer",
        {"amount": "12.50", "message": "Keep the fan: the scratch is cosmetic."},
        key=ret.seller_key,
    )
    # On a phone, where buyers answer offers (the seller's walk checks both widths).
    page = new_context(width=PHONE).new_page()
    _signed_in_on(demo, page, ret.buyer, ret.code)

    offer = page.locator("[data-offer]")
    expect(offer).to_have_attribute("data-offer-state", "open")
    expect(offer.locator("[data-offer-amount]")).to_have_text("12.50 EUR")
    expect(offer.locator("[data-offer-expires]")).to_contain_text("Europe/Madrid")
    checked(page, screenshot, "refund-buyer-offer")

    accept = page.get_by_role("button", name="Accept the offer")
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if accept.evaluate("(button) => button === document.activeElement"):
            break
    with page.expect_navigation():
        page.keyboard.press("Enter")

    refund = page.locator('[data-refund-kind="offer"]')
    expect(refund).to_be_visible()
    expect(refund.locator("[data-total]")).to_have_text("12.50 EUR")
    arrival = refund.locator("[data-expected-arrival]")
    expect(arrival).to_contain_text("Expected between")
    assert RANGE.match(arrival.get_attribute("data-expected-arrival") or "")
    expect(page.locator("[data-offer]")).to_have_attribute("data-offer-state", "accepted")
    answer = demo.api(f"/api/v1/returns/{ret.code}", key=demo.secret("platform"))
    assert (answer["resolution"], answer["offer"]["state"]) == ("partial_refund", "accepted")
    (transaction,) = answer["refunds"][0]["transactions"]
    expected = transaction["expected_arrival"]
    assert arrival.get_attribute("data-expected-arrival") == f"{expected['earliest']}/{expected['latest']}"
    checked(page, screenshot, "refund-buyer-accepted")
    assert offsite_requests == []
