"""Staff sign-in in the browser, at 375 and 1280 px: by keyboard alone, and refused without its
CSRF token as the problem page says (403 ``csrf_failed``)."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Screenshot
from tests.browser.harness import Demo, assert_accessible, assert_no_sideways_scroll

pytestmark = [pytest.mark.served, pytest.mark.browser]

# The demo staff member these tests sign in as; its password is in the demo's keys file.
COUNTER_ROLE, COUNTER_EMAIL = "user:counter", "counter@post.example"
# Where the walk asks to go after signing in: a page every staff member may open.
NEXT = "/account/password/"
# More Tab presses than the sign-in page has controls before its form: a missing or unreachable
# field fails instead of looping.
MAX_TABS = 15


def tab_to(page: Page, element_id: str) -> None:
    """Press Tab until the element with ``element_id`` has the focus, which must be visible."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement.id") == element_id:
            outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
            assert outline == "solid", f"#{element_id} has the focus but no visible outline ({outline})"
            return
    raise AssertionError(f"#{element_id} is not reached by {MAX_TABS} presses of Tab")


def test_a_staff_member_signs_in_by_keyboard_alone(
    page: Page, demo: Demo, offsite_requests: list[str], screenshot: Screenshot
) -> None:
    answer = page.goto(f"/sign-in/?next={NEXT}")

    assert answer is not None
    assert answer.status == 200
    expect(page.locator("h1")).to_have_text("Sign in")
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    screenshot(page, "sign-in")

    tab_to(page, "sign-in-email")
    page.keyboard.type(COUNTER_EMAIL)
    tab_to(page, "sign-in-password")
    page.keyboard.type(demo.secret(COUNTER_ROLE, COUNTER_EMAIL))
    with page.expect_navigation():
        page.keyboard.press("Enter")

    assert page.url == f"{demo.url}{NEXT}"
    expect(page.locator("h1")).to_have_text("Change your password")
    expect(page.locator("[data-signed-in-as]")).to_contain_text(COUNTER_EMAIL)
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    assert offsite_requests == []


def test_a_sign_in_without_its_csrf_token_is_the_403_csrf_failed_page(
    page: Page, demo: Demo, offsite_requests: list[str]
) -> None:
    page.goto("/sign-in/")
    # What a forged cross-site form sends: the fields without the page's token.
    page.locator('input[name="csrfmiddlewaretoken"]').evaluate("input => input.remove()")
    page.fill("#sign-in-email", COUNTER_EMAIL)
    page.fill("#sign-in-password", demo.secret(COUNTER_ROLE, COUNTER_EMAIL))
    with page.expect_response(lambda response: response.request.method == "POST") as posted:
        page.get_by_role("button", name="Sign in").click()

    assert posted.value.status == 403
    problem = page.locator('[data-problem="csrf_failed"]')
    expect(problem).to_be_visible()
    expect(problem.locator("h1")).to_have_text("This form could not be accepted")
    expect(page.locator("[data-signed-in-as]")).to_have_count(0)
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    # The same POST from a script, with the session's cookies but no token: the same refusal.
    forged = page.request.post(
        "/sign-in/", form={"email": COUNTER_EMAIL, "password": demo.secret(COUNTER_ROLE, COUNTER_EMAIL)}
    )
    assert forged.status == 403
    assert 'data-problem="csrf_failed"' in forged.text()
    assert offsite_requests == []
