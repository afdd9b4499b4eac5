"""The buyer's label in a real browser, at 375 px and by keyboard alone: before approval the return
page says the label follows it; once approved it shows the QR, which a screenshot decodes
(zxing-cpp) to a payload the published keys verify, and the label downloads as a PDF whose Code 128
scans to the code.

The return is the walk's own (``fresh_return``), for a buyer of its own, signed in by a portal link.
"""

from __future__ import annotations

import io
import json
from datetime import UTC, datetime
from pathlib import Path

import pytest
from PIL import Image
from playwright.sync_api import Page, expect

from returndesk.labels.domain import qr
from returndesk.labels.tests.reading import decoded, page_image
from tests.browser.conftest import NewContext, Screenshot
from tests.browser.fresh_returns import fresh_return
from tests.browser.harness import Demo, assert_accessible, assert_no_sideways_scroll

pytestmark = [pytest.mark.served, pytest.mark.browser]

MAX_TABS = 60


def _tab_to(page: Page, selector: str) -> None:
    """Press Tab until the focused element matches ``selector``."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("(selector) => document.activeElement?.matches(selector) ?? false", selector):
            return
    raise AssertionError(f"{MAX_TABS} presses of Tab never reached {selector} on {page.url}")


def _checked(page: Page, screenshot: Screenshot, name: str) -> None:
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    screenshot(page, name)


def test_a_buyer_sees_the_label_qr_once_approved_and_downloads_the_label(
    demo: Demo, new_context: NewContext, screenshot: Screenshot, offsite_requests: list[str]
) -> None:
    ret = fresh_return(demo, approve=False)
    platform = demo.secret("platform")
    buyer = demo.api(f"/api/v1/returns/{ret.code}", key=platform)["buyer"]
    made = demo.server.post(f"/api/v1/buyers/{buyer}/portal-links", {"return": ret.code}, key=platform)
    assert made.status == 201, made.body
    page = new_context(width=375, accept_downloads=True).new_page()

    page.goto(made.json()["url"])
    _tab_to(page, "button[type=submit]")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page.locator("[data-label-pending]")).to_have_text(
        "Your return label and packing slip will be here once the seller approves the return."
    )
    _checked(page, screenshot, "buyer-label-pending")

    approved = demo.server.post(f"/api/v1/returns/{ret.code}/approve", {}, key=ret.seller_key)
    assert approved.status == 200, approved.body
    page.goto(f"/buyer/returns/{ret.code}")
    qr_image = page.locator("svg.label-qr")
    expect(qr_image).to_be_visible()
    expect(page.locator("[data-packing-instructions] li")).to_have_count(4)
    expect(page.locator("[data-ship-by]")).to_contain_text("Hand the parcel over by")
    _checked(page, screenshot, "buyer-label")

    [payload] = decoded(Image.open(io.BytesIO(qr_image.screenshot())))["QRCode"]
    keys = json.loads(demo.server.get("/api/v1/keys/qr").body)["keys"]
    public_keys = {key["kid"]: qr.b64url_decode(key["public_key"]) for key in keys}
    assert payload.split(".")[1] == ret.code
    assert qr.verify(payload, public_keys=public_keys, now=datetime.now(UTC)).code == ret.code

    _tab_to(page, 'a[data-download="label"]')
    with page.expect_download() as download:
        page.keyboard.press("Enter")
    assert download.value.suggested_filename == f"return-{ret.code}-label.pdf"
    pdf = Path(download.value.path()).read_bytes()
    assert decoded(page_image(pdf, dpi=150))["Code128"] == [ret.code]
    assert offsite_requests == []
