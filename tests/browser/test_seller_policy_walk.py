"""Issue 8's seller walk: Lumen Lighting's manager, by keyboard alone, saves a 7-day window and sees
the 422 beside the field, then saves a valid policy and sees its new version. The API agrees.

The served demo is shared with the other walks: the valid Save keeps every value Lumen's demo
policy has (other walks rely on them) and adds one SKU of this run's own to its non-returnable SKUs.
"""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import NewContext, Screenshot
from tests.browser.harness import Demo, assert_accessible, assert_no_sideways_scroll

pytestmark = [pytest.mark.served, pytest.mark.browser]

MANAGER = "manager@lumen.example"
# Enough presses to reach any control of the policy page from its top.
MAX_TABS = 80


def _checked(page: Page, screenshot: Screenshot, name: str) -> None:
    """Every state the walk reaches: no sideways scroll, axe-clean, on record."""
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    screenshot(page, name)


def _tab_to(page: Page, name: str) -> None:
    """Press Tab until the focused element is the link or button ``name``, or the field labelled so."""
    focused = """() => { const e = document.activeElement; if (!e) return "";
        return ((e.labels && e.labels[0]) ? e.labels[0].textContent : e.textContent).trim(); }"""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate(focused) == name:
            return
    raise AssertionError(f"{MAX_TABS} presses of Tab never reached {name!r}")


def _lumen_policy(demo: Demo) -> dict[str, object]:
    return demo.api("/api/v1/policies/S-LUMEN", key=demo.secret("platform"))


def test_a_seller_sees_the_422_beside_the_window_then_saves_a_new_version(
    demo: Demo, new_context: NewContext, width: int, offsite_requests: list[str], screenshot: Screenshot
) -> None:
    page = new_context(width=width).new_page()
    page.goto("/sign-in/")
    page.get_by_label("Email").fill(MANAGER)
    page.get_by_label("Password").fill(demo.secret("user:seller_manager", MANAGER))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/seller/")
    _tab_to(page, "Return policy")
    page.keyboard.press("Enter")
    page.wait_for_url("**/seller/policy")
    before = _lumen_policy(demo)
    expect(page.locator("[data-in-force]")).to_have_attribute("data-in-force", str(before["version"]))
    expect(page.locator('[data-bound="window_days"]')).to_have_text("14 to 365 days")
    _checked(page, screenshot, "seller-policy")

    window = "Return window (days after delivery)"
    _tab_to(page, window)
    page.keyboard.press("Control+A")
    page.keyboard.type("7")
    page.keyboard.press("Enter")
    errors = page.locator('[data-errors-for="window_days"] li')
    expect(errors).to_have_attribute("data-code", "below_minimum")
    expect(errors).to_contain_text("window_days must be at least 14 days")
    expect(page.get_by_label("Return window (days after delivery)")).to_have_attribute("aria-invalid", "true")
    assert _lumen_policy(demo)["version"] == before["version"]
    _checked(page, screenshot, "seller-policy-422")

    sku = f"WALK-{uuid.uuid4().hex[:8].upper()}"
    # The page came back with the refusal: Tab from its top again, to the window, then the SKUs.
    _tab_to(page, window)
    page.keyboard.press("Control+A")
    page.keyboard.type(str(before["window_days"]))
    _tab_to(page, "SKUs returnable only if faulty (one per line)")
    page.keyboard.press("Control+End")
    page.keyboard.type(f"\n{sku}" if before["non_returnable_skus"] else sku)
    _tab_to(page, "Save")
    page.keyboard.press("Enter")
    page.wait_for_url("**/seller/policy?saved=*")

    after = _lumen_policy(demo)
    assert after["version"] > before["version"]
    assert after["non_returnable_skus"] == [*before["non_returnable_skus"], sku]
    assert {
        k: after[k] for k in ("window_days", "restocking_fee_percent", "non_returnable_categories", "auto_approve")
    } == {k: before[k] for k in ("window_days", "restocking_fee_percent", "non_returnable_categories", "auto_approve")}
    expect(page.locator("[data-saved]")).to_have_text(f"Saved: version {after['version']} is in force.")
    expect(page.locator("[data-history] li").first).to_have_attribute("data-version", str(after["version"]))
    expect(page.locator("[data-history] li").first).to_contain_text("non_returnable_skus")
    _checked(page, screenshot, "seller-policy-saved")
    assert offsite_requests == []
