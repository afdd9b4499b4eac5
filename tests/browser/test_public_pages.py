"""The pages anyone may open, at 375 and 1280 px: the landing page and the API docs."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Screenshot
from tests.browser.harness import assert_accessible, assert_no_sideways_scroll

pytestmark = [pytest.mark.served, pytest.mark.browser]


def test_the_landing_page_links_every_portal_and_the_api_docs(
    page: Page, offsite_requests: list[str], screenshot: Screenshot
) -> None:
    answer = page.goto("/")

    assert answer is not None
    assert answer.status == 200
    expect(page.locator("h1")).to_have_text("returndesk")
    expect(page.locator('a[href="/api/v1/docs"]')).to_be_visible()
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    assert offsite_requests == []
    screenshot(page, "landing")


def test_the_api_docs_show_every_operation(page: Page, offsite_requests: list[str], screenshot: Screenshot) -> None:
    answer = page.goto("/api/v1/docs")

    assert answer is not None
    assert answer.status == 200
    # Swagger UI draws the operations from /api/v1/openapi.json once it has fetched it.
    expect(page.locator(".opblock").first).to_be_visible()
    expect(page.locator(".opblock-summary-path", has_text="/api/v1/returns").first).to_be_visible()
    assert_no_sideways_scroll(page)
    assert offsite_requests == []
    screenshot(page, "api-docs")


def test_the_api_docs_pass_axe(page: Page) -> None:
    page.goto("/api/v1/docs")
    expect(page.locator(".opblock").first).to_be_visible()

    assert_accessible(page)
