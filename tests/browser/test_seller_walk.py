"""Walk 2 of issue 6: a seller's manager finds a fresh return by a code typed in lower case with
spaces, approves it by keyboard alone, receives and inspects it; warehouse staff see no Approve
and their forged approve is 403 ``forbidden_action``. The API agrees at every step.

Each run opens its own returns on a fresh S-VOLT order (imported with the demo's platform key):
the served demo is shared with the other walks.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Page, expect

from returndesk.demo.seed import BUYERS, SELLERS
from returndesk.returns.domain import codes
from returndesk.scenarios.payloads import iso, line_payload, order_payload
from tests.browser.conftest import NewContext, Screenshot
from tests.browser.harness import Demo, assert_accessible, assert_no_sideways_scroll

pytestmark = [pytest.mark.served, pytest.mark.browser]

VOLT = next(seller for seller in SELLERS if seller["external_id"] == "S-VOLT")
MANAGER, WAREHOUSE = "manager@volt.example", "warehouse@volt.example"
# Enough presses to reach any control of the return page from its top.
MAX_TABS = 60


def _fresh_return(demo: Demo) -> str:
    """A requested return on a new S-VOLT order of Ana's, delivered yesterday: its code."""
    platform = demo.secret("platform")
    order = f"O-WALK-{uuid.uuid4().hex[:10]}"
    body = order_payload(
        external_id=order,
        seller=VOLT,
        buyer=BUYERS[0],
        delivered_at=datetime.now(UTC) - timedelta(days=1),
        lines=[line_payload("L1", sku="VOLT-ADP-EU", title="Travel adapter", unit_price="15.00")],
    )
    body["placed_at"] = iso(datetime.now(UTC) - timedelta(days=5))
    imported = demo.server.post("/api/v1/orders", body, key=platform)
    assert imported.status == 201, imported.body
    opened = demo.server.post(
        "/api/v1/returns",
        {"order": order, "lines": [{"line": "L1", "quantity": 1, "reason": "defective"}]},
        key=platform,
    )
    assert opened.status == 201, opened.body
    return str(opened.json()["code"])


def _api_status(demo: Demo, code: str) -> str:
    return str(demo.api(f"/api/v1/returns/{code}", key=demo.secret("platform"))["status"])


def _sign_in(page: Page, demo: Demo, email: str, role: str) -> None:
    page.goto("/sign-in/")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(demo.secret(f"user:{role}", email))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/seller/")


def _checked(page: Page, screenshot: Screenshot, name: str) -> None:
    """Every state the walk reaches: no sideways scroll, axe-clean, on record."""
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    screenshot(page, name)


def _tab_to(page: Page, label: str) -> None:
    """Press Tab until the focused control is the button ``label``."""
    for _ in range(MAX_TABS):
        page.keyboard.press("Tab")
        if page.evaluate("document.activeElement && document.activeElement.textContent.trim()") == label:
            return
    raise AssertionError(f"{MAX_TABS} presses of Tab never reached the {label!r} button")


def test_the_manager_approves_receives_and_inspects_warehouse_may_not_approve(
    demo: Demo, new_context: NewContext, width: int, offsite_requests: list[str], screenshot: Screenshot
) -> None:
    code = _fresh_return(demo)
    page = new_context(width=width).new_page()

    _sign_in(page, demo, MANAGER, "seller_manager")
    expect(page.locator("h1")).to_have_text("Returns")
    expect(page.locator(f'tr[data-code="{code}"]')).to_have_attribute("data-status", "requested")
    _checked(page, screenshot, "seller-queue")

    # Typed as people type a code read off a label: lower case, spaces between the groups.
    page.get_by_label("Return code").fill(codes.display(code).lower().replace("-", " "))
    page.get_by_label("Return code").press("Enter")
    page.wait_for_url(f"**/seller/returns/{code}")
    article = page.locator("article[data-return]")
    expect(article).to_have_attribute("data-status", "requested")
    expect(page.get_by_role("heading", name="Timeline")).to_be_visible()
    _checked(page, screenshot, "seller-return-requested")

    _tab_to(page, "Approve")
    page.keyboard.press("Enter")
    expect(article).to_have_attribute("data-status", "approved")
    assert _api_status(demo, code) == "approved"
    _checked(page, screenshot, "seller-return-approved")

    page.get_by_label("Note", exact=True).fill("Box intact, tape unbroken.")
    page.get_by_role("button", name="Receive").click()
    expect(article).to_have_attribute("data-status", "received")
    assert _api_status(demo, code) == "received"
    _checked(page, screenshot, "seller-return-received")

    page.get_by_label("Outcome").select_option("accepted")
    page.get_by_label("Condition").select_option("opened")
    page.get_by_role("button", name="Inspect").click()
    expect(article).to_have_attribute("data-status", "inspected")
    expect(page.locator('tr[data-line="L1"][data-outcome]')).to_have_attribute("data-outcome", "accepted")
    expect(page.locator("[data-timeline] li")).to_have_count(4)
    answer = demo.api(f"/api/v1/returns/{code}", key=demo.secret("platform"))
    assert answer["status"] == "inspected"
    assert [event["action"] for event in answer["timeline"]] == ["request", "approve", "receive", "inspect"]
    _checked(page, screenshot, "seller-return-inspected")

    # Warehouse staff, on another fresh (requested) return of the same seller.
    requested = _fresh_return(demo)
    warehouse = new_context(width=width).new_page()
    _sign_in(warehouse, demo, WAREHOUSE, "seller_warehouse")
    warehouse.goto(f"/seller/returns/{requested}")
    expect(warehouse.locator("article[data-return]")).to_have_attribute("data-status", "requested")
    expect(warehouse.get_by_role("button", name="Approve")).to_have_count(0)
    expect(warehouse.get_by_role("button", name="Reject")).to_have_count(0)
    _checked(warehouse, screenshot, "seller-warehouse-return")

    # The forged approve: a form the page never offered, sent with the page's own CSRF token.
    with warehouse.expect_navigation() as navigation:
        warehouse.evaluate(
            """(code) => {
                const form = document.createElement('form');
                form.method = 'post';
                form.action = `/seller/returns/${code}/approve`;
                const token = document.createElement('input');
                token.type = 'hidden';
                token.name = 'csrfmiddlewaretoken';
                token.value = document.querySelector('input[name=csrfmiddlewaretoken]').value;
                form.append(token);
                document.body.append(form);
                form.submit();
            }""",
            requested,
        )
    forged = navigation.value
    assert forged is not None
    assert forged.status == 403
    expect(warehouse.locator("[data-problem]")).to_have_attribute("data-problem", "forbidden_action")
    assert _api_status(demo, requested) == "requested"
    _checked(warehouse, screenshot, "seller-warehouse-forbidden")
    assert offsite_requests == []
