"""Issue 9's seller walk: Volt's manager refunds an inspected return paid by bank transfer (the
manual gateway) from the form prefilled with the policy's amounts, by keyboard, then confirms the
payout; warehouse staff see none of the money. The API agrees at every step.

Each run refunds a return of its own (the served demo is shared with the other walks).
"""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import NewContext, Screenshot
from tests.browser.fresh_returns import staff_signs_in
from tests.browser.harness import Demo
from tests.browser.refund_returns import checked, inspected_return

pytestmark = [pytest.mark.served, pytest.mark.browser]

MANAGER, WAREHOUSE = "manager@volt.example", "warehouse@volt.example"
MAX_TABS = 80


def _tab_to(page: Page, label: str) -> None:
    """Press Tab until the focused control is the button ``label``."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.textContent.trim()") == label:
            return
    raise AssertionError(f"{MAX_TABS} presses of Tab never reached the {label!r} button")


def test_the_manager_refunds_by_hand_and_confirms_warehouse_sees_no_money(
    demo: Demo, new_context: NewContext, width: int, offsite_requests: list[str], screenshot: Screenshot
) -> None:
    ret = inspected_return(
        demo, seller="S-VOLT", title="Travel adapter", unit_price="15.00", gateway="manual", method="bank_transfer"
    )
    path = f"/seller/returns/{ret.code}"
    page = new_context(width=width).new_page()
    staff_signs_in(page, demo, email=MANAGER, role="seller_manager", then=path)
    article = page.locator("article[data-return]")
    expect(article).to_have_attribute("data-status", "inspected")
    row = page.locator('table[data-refund-plan] tr[data-line="L1"]')
    expect(row).to_have_attribute("data-default", "15.00")
    expect(page.get_by_label("Refund for Travel adapter")).to_have_value("15.00")
    expect(row).to_contain_text("up to 15.00")
    checked(page, screenshot, "refund-seller-form")

    page.get_by_label("Note (the buyer reads it)").first.fill("Refunded to your bank account.")
    _tab_to(page, "Refund")
    page.keyboard.press("Enter")
    expect(article).to_have_attribute("data-status", "refunding")
    transaction = page.locator("[data-money] [data-transaction]")
    expect(transaction).to_have_attribute("data-refund-status", "pending")
    expect(transaction).to_have_attribute("data-awaiting", "confirmation")
    answer = demo.api(f"/api/v1/returns/{ret.code}", key=demo.secret("platform"))
    (refund,) = answer["refunds"]
    assert (refund["kind"], refund["status"], refund["transactions"][0]["gateway"]) == ("refund", "pending", "manual")
    assert refund["lines"][0]["amount"] == "15.00"
    checked(page, screenshot, "refund-seller-awaiting-confirmation")

    transaction.get_by_label("Payout reference (optional)").fill("SEPA-2026-0042")
    transaction.get_by_role("button", name="Confirm the payout").click()
    expect(page.locator("[data-money] [data-transaction]")).to_have_attribute("data-refund-status", "succeeded")
    expect(page.locator("[data-money] [data-expected-arrival]")).to_contain_text("Expected")
    answer = demo.api(f"/api/v1/returns/{ret.code}", key=demo.secret("platform"))
    assert answer["refunds"][0]["transactions"][0]["status"] == "succeeded"
    assert answer["status"] == "resolved"
    checked(page, screenshot, "refund-seller-confirmed")

    # Warehouse staff, on another inspected return of the same seller: no money, no buttons.
    other = inspected_return(demo, seller="S-VOLT", title="Cable", unit_price="9.00")
    warehouse = new_context(width=width).new_page()
    staff_signs_in(warehouse, demo, email=WAREHOUSE, role="seller_warehouse", then=f"/seller/returns/{other.code}")
    expect(warehouse.locator("article[data-return]")).to_have_attribute("data-status", "inspected")
    expect(warehouse.locator("[data-money]")).to_have_count(0)
    expect(warehouse.locator('form[data-action="refund"]')).to_have_count(0)
    expect(warehouse.get_by_role("button", name="Refund")).to_have_count(0)
    checked(warehouse, screenshot, "refund-seller-warehouse")
    assert offsite_requests == []
