"""Issue 9's agent walk: a refund above Lumen Lighting's hold limit (the demo's policy holds
refunds above 100.00 EUR) waits in customer service's queue; an agent releases it and it is paid
through the fake gateway, leaving the queue. The API agrees.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import NewContext, Screenshot
from tests.browser.fresh_returns import staff_signs_in
from tests.browser.harness import Demo
from tests.browser.refund_returns import checked, inspected_return, post

pytestmark = [pytest.mark.served, pytest.mark.browser]

AGENT = "agent@returndesk.example"
DESK = 1280


def test_an_agent_releases_a_held_refund(
    demo: Demo, new_context: NewContext, offsite_requests: list[str], screenshot: Screenshot
) -> None:
    ret = inspected_return(demo, seller="S-LUMEN", title="Floor lamp, oak", unit_price="149.00")
    answer = post(demo, f"/api/v1/returns/{ret.code}/refund", {}, key=ret.seller_key, idempotency_key=ret.code)
    (refund,) = answer["refunds"]
    assert refund["status"] == "held"
    # At a desk (the seller's walk checks both widths).
    page = new_context(width=DESK).new_page()
    staff_signs_in(page, demo, email=AGENT, role="agent", then="/agent/refunds")

    item = page.locator(f'[data-queue-refund="{refund["id"]}"]')
    expect(item).to_have_attribute("data-refund-status", "held")
    checked(page, screenshot, "refund-agent-queue")

    item.get_by_role("button", name="Release").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    expect(page).to_have_url(f"{demo.url}/agent/refunds")
    expect(page.locator(f'[data-queue-refund="{refund["id"]}"]')).to_have_count(0)
    paid = demo.api(f"/api/v1/refunds/{refund['id']}", key=demo.secret("platform"))
    assert paid["status"] == "succeeded"
    timeline = demo.api(f"/api/v1/returns/{ret.code}", key=demo.secret("platform"))["timeline"]
    events = [event["action"] for event in timeline]
    assert events.index("refund_held") < events.index("refund_released") < events.index("refund_succeeded")
    checked(page, screenshot, "refund-agent-released")
    assert offsite_requests == []
