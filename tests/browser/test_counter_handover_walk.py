"""The counter hands a parcel over by keyboard alone at 375 px: the label's QR scanned into the code
field (read here from the label PDF, as a scanner would), Accept parcel with its weight, the
printable receipt, and the buyer's mail with the receipt as proof of drop-off."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from returndesk.labels.tests.reading import decoded, page_image
from tests.browser.conftest import NewContext, Screenshot
from tests.browser.fresh_returns import fresh_return, staff_signs_in
from tests.browser.harness import Demo, assert_accessible, assert_no_sideways_scroll

pytestmark = [pytest.mark.served, pytest.mark.browser]

MAX_TABS = 20


def test_the_counter_accepts_a_scanned_label_and_prints_the_receipt(
    new_context: NewContext, demo: Demo, offsite_requests: list[str], screenshot: Screenshot
) -> None:
    ret = fresh_return(demo)
    label = demo.server.get(f"/api/v1/returns/{ret.code}/label.pdf", key=ret.seller_key)
    assert label.status == 200, label.body[:300]
    [payload] = decoded(page_image(label.body, dpi=150))["QRCode"]
    page = new_context(width=375).new_page()
    staff_signs_in(page, demo, email="counter@post.example", role="counter", then="/counter/")

    expect(page.get_by_label("Return code")).to_be_focused()
    page.keyboard.type(payload)
    page.keyboard.press("Enter")
    expect(page.locator(f'#counter-answer [data-result="valid"][data-code="{ret.code}"]')).to_be_visible()
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement?.id") == "counter-weight":
            break
    page.keyboard.type("180")
    page.keyboard.press("Tab")
    expect(page.get_by_role("button", name="Accept parcel")).to_be_focused()
    assert_accessible(page)
    page.keyboard.press("Enter")

    expect(page.get_by_role("heading", name="Drop-off receipt")).to_be_visible()
    receipt_id = demo_receipt(demo, ret.code)
    expect(page).to_have_url(f"{demo.url}/counter/receipts/{receipt_id}")
    expect(page.locator("[data-point]")).to_contain_text("DEMO-1")
    expect(page.locator("[data-weight]")).to_have_text("180 g")
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    screenshot(page, "counter-receipt")
    [mailed] = [message for message in demo.mail(ret.buyer_email) if receipt_id in message.body]
    assert mailed.subject == "Your return parcel was handed over"
    assert offsite_requests == []


def demo_receipt(demo: Demo, code: str) -> str:
    """The receipt id of the return's current handover, as the API shows it."""
    return str(demo.api(f"/api/v1/returns/{code}", key=demo.secret("platform"))["dropoff"]["receipt_id"])
