"""The browser harness's own checks fail when they should: another origin, sideways scroll, axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page

from tests.browser.conftest import NewContext
from tests.browser.harness import assert_accessible, assert_no_sideways_scroll, screenshot_dir

pytestmark = [pytest.mark.served, pytest.mark.browser]

# What a tried request to another origin reports back to the page.
TRY_ANOTHER_ORIGIN = """
() => fetch('https://cdn.example.net/library.js').then(() => 'loaded', (error) => 'refused: ' + error.name)
"""


def test_a_request_to_another_origin_is_refused_and_recorded(
    new_context: NewContext, offsite_requests: list[str]
) -> None:
    page = new_context().new_page()
    page.goto("/")

    outcome = page.evaluate(TRY_ANOTHER_ORIGIN)

    assert outcome == "refused: TypeError"
    assert offsite_requests == ["https://cdn.example.net/library.js"]
    # Seen and checked: the fixture's own check after the test would otherwise fail it.
    offsite_requests.clear()


def test_a_page_wider_than_the_viewport_fails_the_sideways_check(new_context: NewContext) -> None:
    page = new_context(width=375).new_page()
    page.set_content(
        '<meta name="viewport" content="width=device-width"><div id="wide" style="width: 600px">wide</div>'
    )

    with pytest.raises(AssertionError, match=r"(?s)scrolls sideways at 375 px: it is 6\d\d px wide.*div#wide"):
        assert_no_sideways_scroll(page)


def test_a_wide_table_scrolling_in_its_own_box_passes_the_sideways_check(new_context: NewContext) -> None:
    page = new_context(width=375).new_page()
    page.set_content(
        '<meta name="viewport" content="width=device-width">'
        '<div style="overflow-x: auto"><table style="width: 600px"><tr><td>wide</td></tr></table></div>'
    )

    assert_no_sideways_scroll(page)


def test_axe_reports_a_critical_violation_readably(new_context: NewContext) -> None:
    page = new_context().new_page()
    page.set_content('<html lang="en"><title>t</title><main><img src="data:," id="photo"></main></html>')

    with pytest.raises(AssertionError) as failure:
        assert_accessible(page)

    assert "- image-alt (critical): Images must have alternative text" in str(failure.value)
    assert "at #photo: <img" in str(failure.value)


def test_axe_passes_a_clean_page(page: Page) -> None:
    page.set_content('<html lang="en"><title>Clean</title><main><h1>Clean</h1><p>Nothing wrong.</p></main></html>')

    assert_accessible(page)


def test_screenshots_go_to_var_unless_the_switch_names_a_directory(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("RETURNDESK_SCREENSHOT_DIR", raising=False)
    assert screenshot_dir().parts[-2:] == ("var", "screenshots")

    monkeypatch.setenv("RETURNDESK_SCREENSHOT_DIR", "docs/screenshots")
    assert screenshot_dir().parts[-2:] == ("docs", "screenshots")
