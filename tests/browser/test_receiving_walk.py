"""The warehouse walk, by keyboard alone at 375 px: Volt's warehouse scans a parcel's code, its
items (one lamp short, and a SKU that is on no line) turn the tally at once, before anything is
saved, adds "damaged on the way back" and records the receipt with Enter on the empty field; then
records a parcel without a code and matches it by scanning another return's code.

Each run imports its own order (the served demo is shared with the other walks).
"""

from __future__ import annotations

import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from returndesk.scenarios.payloads import buyer_payload, line_payload, order_payload
from tests.browser.conftest import NewContext, Screenshot
from tests.browser.fresh_returns import SELLER, SELLER_KEY_NAME, staff_signs_in
from tests.browser.harness import Demo, assert_accessible, assert_no_sideways_scroll

pytestmark = [pytest.mark.served, pytest.mark.browser]

WAREHOUSE = "warehouse@volt.example"
FIELD = "#receiving-scan"


def _post(demo: Demo, path: str, body: Any, *, key: str) -> Any:
    answer = demo.server.post(path, body, key=key)
    assert answer.status in (200, 201), f"POST {path}: {answer.status} {answer.body[:500]!r}"
    return answer.json()


def _approved_return(demo: Demo, tag: str) -> str:
    """Two lamps and a cable of a new Volt order, returned and approved: the return's code."""
    order = order_payload(
        external_id=f"O-RCV-{tag}",
        seller=SELLER,
        buyer=buyer_payload(f"B-RCV-{tag}"),
        delivered_at=datetime.now(UTC) - timedelta(days=2),
        lines=[
            line_payload("L1", sku=f"LAMP-{tag}", title="Desk lamp", quantity=2, gtin="4006381333931"),
            line_payload("L2", sku=f"CABLE-{tag}", title="USB cable"),
        ],
    )
    platform, seller = demo.secret("platform"), demo.secret("seller", SELLER_KEY_NAME)
    _post(demo, "/api/v1/orders", order, key=platform)
    opened = _post(
        demo,
        "/api/v1/returns",
        {
            "order": order["external_id"],
            "lines": [
                {"line": "L1", "quantity": 2, "reason": "defective"},
                {"line": "L2", "quantity": 1, "reason": "defective"},
            ],
        },
        key=platform,
    )
    _post(demo, f"/api/v1/returns/{opened['code']}/approve", {}, key=seller)
    return str(opened["code"])


def _scan(page: Page, text: str) -> None:
    """A scanner: the text typed into the focused field, then Enter."""
    expect(page.locator(FIELD)).to_be_focused()
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def _checked(page: Page, screenshot: Screenshot, name: str) -> None:
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    screenshot(page, name)


def test_the_warehouse_receives_by_scanning_a_unit_short_and_a_wrong_sku_among_the_items(
    demo: Demo, new_context: NewContext, offsite_requests: list[str], screenshot: Screenshot
) -> None:
    tag = secrets.token_hex(3).upper()
    code = _approved_return(demo, tag)
    platform = demo.secret("platform")
    page = new_context(width=375).new_page()
    staff_signs_in(page, demo, email=WAREHOUSE, role="seller_warehouse", then="/seller/receiving")

    # The code first (lower case, hyphens: as a person types it): the lines and their quantities.
    _scan(page, f"{code[:4].lower()}-{code[4:8].lower()}-{code[8:]}")
    tally = page.locator("[data-tally]")
    expect(tally.locator('tr[data-line="L1"]')).to_have_attribute("data-expected", "2")
    expect(page.locator(FIELD)).to_be_focused()

    # Item scans count in the page at once: no request, nothing saved yet.
    page.evaluate("window.sameDocument = true")
    _scan(page, f"lamp-{tag.lower()}")
    _scan(page, f"WRONG-{tag}")
    _scan(page, f"CABLE-{tag}")
    expect(tally.locator('tr[data-line="L1"] [data-scanned-count]')).to_have_text("1")
    expect(tally.locator('tr[data-line="L2"] [data-state]')).to_have_text("All here")
    wrong = tally.locator(f'li[data-unmatched-item="WRONG-{tag}"]')
    expect(wrong).to_have_class("tally-off")
    expect(wrong).to_contain_text("not on this return")
    expect(page.locator(FIELD)).to_be_focused()
    assert page.evaluate("window.sameDocument") is True
    assert demo.api(f"/api/v1/returns/{code}", key=platform)["status"] == "approved"

    # A button adds what the eye sees; the focus comes back to the field.
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    expect(page.locator(":focus")).to_have_attribute("data-add", "damaged_on_return")
    page.keyboard.press("Enter")
    expect(page.locator('[data-add="damaged_on_return"]')).to_have_attribute("aria-pressed", "true")
    _checked(page, screenshot, "seller-receiving-tally")

    # Enter on the empty field records the receipt.
    _scan(page, "")
    receipt = page.locator("[data-receipt]")
    expect(receipt).to_have_attribute("data-status", "received")
    expect(receipt.locator('tr[data-line="L1"]')).to_have_attribute("data-result", "short")
    expect(receipt.locator('tr[data-line="L2"]')).to_have_attribute("data-result", "ok")
    expect(receipt.locator("[data-anomaly]")).to_have_count(3)
    expect(page.locator(FIELD)).to_be_focused()
    answer = demo.api(f"/api/v1/returns/{code}", key=platform)
    assert (answer["status"], [line["result"] for line in answer["receiving"]["lines"]]) == (
        "received",
        ["short", "ok"],
    )
    assert sorted(anomaly["code"] for anomaly in answer["anomalies"]) == ["damaged_on_return", "item_mismatch", "short"]
    _checked(page, screenshot, "seller-receiving-recorded")
    assert offsite_requests == []


def test_a_parcel_found_by_nothing_is_recorded_as_unidentified_then_matched_by_its_code(
    demo: Demo, new_context: NewContext, offsite_requests: list[str], screenshot: Screenshot
) -> None:
    tag = secrets.token_hex(3).upper()
    later = _approved_return(demo, tag)
    platform = demo.secret("platform")
    page = new_context(width=375).new_page()
    staff_signs_in(page, demo, email=WAREHOUSE, role="seller_warehouse", then="/seller/receiving")

    _scan(page, f"NOTHING{tag}")
    expect(page.locator("[data-not-found]")).to_be_visible()
    page.goto("/seller/parcels")
    page.get_by_label("What it holds").focus()
    page.keyboard.type(f"A USB cable, sender unknown ({tag})")
    page.keyboard.press("Tab")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    recorded = page.locator("[data-recorded]")
    expect(recorded).to_be_visible()
    parcel = recorded.get_attribute("data-recorded")
    _checked(page, screenshot, "seller-parcels")
    page.locator(f"#match-{parcel}").focus()
    page.keyboard.type(later)
    page.keyboard.press("Enter")
    expect(page.locator("[data-receipt]")).to_have_attribute("data-code", later)
    assert demo.api(f"/api/v1/parcels/{parcel}", key=platform)["matched_return"] == later
    assert offsite_requests == []
