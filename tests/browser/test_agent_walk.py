"""Walk 4: customer service finds a return by the buyer's email and by the order number, and reads
its whole timeline."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Screenshot
from tests.browser.fresh_returns import fresh_return, seller_receives, staff_signs_in
from tests.browser.harness import Demo, assert_accessible, assert_no_sideways_scroll

pytestmark = [pytest.mark.served, pytest.mark.browser]


def search_by_keyboard(page: Page, text: str) -> None:
    field = page.get_by_label("Code, tracking number, order number or email")
    field.focus()
    page.keyboard.press("ControlOrMeta+a")
    page.keyboard.type(text)
    page.keyboard.press("Enter")


def test_an_agent_finds_a_return_by_email_and_order_number_and_reads_its_timeline(
    page: Page, demo: Demo, offsite_requests: list[str], screenshot: Screenshot
) -> None:
    ret = fresh_return(demo)
    seller_receives(demo, ret)
    staff_signs_in(page, demo, email="agent@returndesk.example", role="agent", then="/agent/")
    expect(page.get_by_label("Code, tracking number, order number or email")).to_be_focused()
    assert_accessible(page)

    search_by_keyboard(page, ret.buyer_email.upper())
    row = page.locator(f'tr[data-code="{ret.code}"]')
    expect(row).to_be_visible()
    expect(row).to_have_attribute("data-status", "received")
    expect(page.locator("tr[data-code]")).to_have_count(1)
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    screenshot(page, "agent-search")

    search_by_keyboard(page, ret.order_number)
    expect(page.locator("[data-search-by]")).to_have_attribute("data-search-by", "order_number")
    expect(page.locator("tr[data-code]")).to_have_count(1)
    row.get_by_role("link").focus()
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{demo.url}/agent/returns/{ret.code}")
    expect(page.locator("[data-status]").first).to_have_attribute("data-status", "received")
    timeline = page.get_by_role("region", name="Timeline")
    api = demo.api(f"/api/v1/returns/{ret.code}", key=demo.secret("agent"))
    events = timeline.locator("ol > li")
    expect(events).to_have_count(len(api["timeline"]))
    shown = [(item.get_attribute("data-event"), item.get_attribute("data-action")) for item in events.all()]
    assert shown == [(str(event["id"]), event["action"]) for event in api["timeline"]]
    actors = timeline.locator("[data-actor-kind]")
    assert [
        (actor.get_attribute("data-actor-kind"), actor.get_attribute("data-actor-id")) for actor in actors.all()
    ] == [(event["actor"]["kind"], event["actor"]["id"]) for event in api["timeline"]]
    expect(timeline).to_contain_text("Arrived at the warehouse.")
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    screenshot(page, "agent-return")
    assert offsite_requests == []
