"""Walk 3: the counter checks a code by keyboard alone: valid, then one symbol changed (a typo
whose suggestion checks it), then, once the seller has received the parcel, used."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Screenshot
from tests.browser.fresh_returns import fresh_return, seller_receives, staff_signs_in
from tests.browser.harness import Demo, assert_accessible, assert_no_sideways_scroll

pytestmark = [pytest.mark.served, pytest.mark.browser]

ANSWER = "#counter-answer"


def one_slip(code: str) -> str:
    """``code`` with its third symbol changed: the check symbol catches it, the verifier suggests ``code``."""
    return code[:2] + ("0" if code[2] != "0" else "1") + code[3:]


def check_by_keyboard(page: Page, typed: str) -> None:
    """Type into the focused Return code field (its text selected after each answer) and press Enter."""
    expect(page.get_by_label("Return code")).to_be_focused()
    page.keyboard.type(typed)
    page.keyboard.press("Enter")


def answered(page: Page, result: str) -> None:
    expect(page.locator(f'{ANSWER} [data-result="{result}"]')).to_be_visible()
    # The field takes the focus back after each answer, ready for the next scan.
    expect(page.get_by_label("Return code")).to_be_focused()
    assert_no_sideways_scroll(page)
    assert_accessible(page)


def test_the_counter_accepts_a_valid_code_suggests_a_mistyped_one_and_refuses_a_used_one(
    page: Page, demo: Demo, offsite_requests: list[str], screenshot: Screenshot
) -> None:
    ret = fresh_return(demo)
    carrier = demo.secret("carrier")
    staff_signs_in(page, demo, email="counter@post.example", role="counter", then="/counter/")
    assert_accessible(page)

    check_by_keyboard(page, ret.code.lower())
    answered(page, "valid")
    expect(page.locator(ANSWER)).to_contain_text("Accept")
    expect(page.locator(ANSWER)).to_contain_text("Volt Gadgets, Berlin")
    assert demo.api(f"/api/v1/codes/{ret.code}", key=carrier)["result"] == "valid"
    screenshot(page, "counter-accept")

    check_by_keyboard(page, one_slip(ret.code))
    answered(page, "typo")
    expect(page.locator(ANSWER)).to_contain_text("Do not accept")
    suggestion = page.locator(f'{ANSWER} button[data-suggestion="{ret.code}"]')
    expect(suggestion).to_be_visible()
    screenshot(page, "counter-typo")
    suggestion.focus()
    page.keyboard.press("Enter")
    answered(page, "valid")

    seller_receives(demo, ret)
    check_by_keyboard(page, ret.code)
    answered(page, "used")
    expect(page.locator(ANSWER)).to_contain_text("Do not accept")
    expect(page.locator(f"{ANSWER} [data-message]")).to_have_text(
        demo.api(f"/api/v1/codes/{ret.code}", key=carrier)["message"]
    )
    screenshot(page, "counter-used")
    assert offsite_requests == []
