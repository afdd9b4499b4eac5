"""Walk: a buyer on the phone has lost their return code but has the parcel's tracking number.
Customer service finds the return by the number, typed however, presses Re-send code, and the
code arrives in the demo mailbox at the buyer's address on file. Keyboard only, at 375 px."""

from __future__ import annotations

import secrets
import time

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import NewContext, Screenshot
from tests.browser.fresh_returns import fresh_return, staff_signs_in
from tests.browser.harness import Demo, Mail, assert_accessible, assert_no_sideways_scroll
from tests.served.harness import run_command, server_env

pytestmark = [pytest.mark.served, pytest.mark.browser]

# How long the mail may take to leave: it goes once the answer has been sent.
MAIL_WAIT_SECONDS = 10.0


def tracking_number_recorded(demo: Demo, code: str, number: str) -> None:
    """The parcel's number on the return, as the carrier's tracking event records it (the
    drop-off app's service); written here in the demo's own database, beside the server."""
    script = (
        "from returndesk.returns.models import Return; "
        f"assert Return.objects.filter(code={code!r}, tracking_number='').update(tracking_number={number!r}) == 1"
    )
    result = run_command(server_env(demo.data_dir), "shell", "-c", script)
    assert result.returncode == 0, result.stderr


def mail_to(demo: Demo, address: str) -> list[Mail]:
    deadline = time.monotonic() + MAIL_WAIT_SECONDS
    while not (found := demo.mail(to=address)) and time.monotonic() < deadline:
        time.sleep(0.1)
    return found


def test_an_agent_finds_a_return_by_tracking_number_and_re_sends_its_code(
    new_context: NewContext, demo: Demo, offsite_requests: list[str], screenshot: Screenshot
) -> None:
    ret = fresh_return(demo)
    number = f"WK{secrets.token_hex(6).upper()}"
    tracking_number_recorded(demo, ret.code, number)
    page = new_context(width=375).new_page()
    staff_signs_in(page, demo, email="agent@returndesk.example", role="agent", then="/agent/")

    search = page.get_by_label("Code, tracking number, order number or email")
    expect(search).to_be_focused()
    page.keyboard.type(f"{number[:6].lower()} {number[6:]}")
    page.keyboard.press("Enter")
    expect(page.locator("[data-search-by]")).to_have_attribute("data-search-by", "tracking_number")
    row = page.locator(f'tr[data-code="{ret.code}"]')
    expect(page.locator("tr[data-code]")).to_have_count(1)
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    row.get_by_role("link").focus()
    page.keyboard.press("Enter")

    expect(page).to_have_url(f"{demo.url}/agent/returns/{ret.code}")
    resend = page.get_by_role("button", name="Re-send code")
    local, _, domain = ret.buyer_email.partition("@")  # stored with the domain lower-cased
    expect(resend).to_have_accessible_description(
        "Mails the return code and its ship-by date to the buyer's address on file, "
        f"{local}@{domain.lower()}, never to another."
    )
    resend.focus()
    page.keyboard.press("Enter")

    expect(page.locator("[data-last-resent]")).to_be_visible()
    expect(page.locator('[data-timeline] li[data-action="code_resent"]')).to_contain_text(
        "Return code re-sent to the buyer"
    )
    assert_no_sideways_scroll(page)
    assert_accessible(page)
    screenshot(page, "agent-code-resent")

    (message,) = mail_to(demo, ret.buyer_email)
    display = "-".join((ret.code[:4], ret.code[4:8], ret.code[8:12], ret.code[12:]))
    assert message.subject == f"Your return code for order {ret.order_number}"
    assert f"{display}  approved: hand the parcel over by " in message.body
    page.goto("/demo/mail/")
    expect(page.locator("article[data-mail]").filter(has_text=display).first).to_be_visible()
    assert_accessible(page)
    assert offsite_requests == []
