"""Lost codes: a buyer asks for their codes by address and order (no key), customer service or the
platform re-sends one; both mail only the address on file, within the same hourly limits."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext

from returndesk.core.errors import RateLimited
from returndesk.core.models import RateCounter
from returndesk.core.ratelimit import counters_purge
from returndesk.marketplace.models import Order
from returndesk.policies.domain.reasons import Reason
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.domain.requests import RequestedLine
from returndesk.returns.errors import CodeNotNeeded
from returndesk.returns.models import Return, ReturnEvent
from returndesk.returns.services import code_reminder_request, return_code_resend
from returndesk.scenarios.journeys import return_opened, return_to
from returndesk.scenarios.payloads import buyer_payload
from returndesk.testing import NOW, frozen_clock

EMAIL = "Ana.Ruiz@example.com"  # as imported; pydantic lower-cases the domain only
AT = NOW + timedelta(days=1)


@pytest.fixture
def ana(make_order, keys):
    """Ana's order O-1 (number 80001) with an approved, a requested and a cancelled return, and
    her order O-2 with a requested one."""
    buyer = buyer_payload("B-ANA", email=EMAIL, name="Ana Ruiz", time_zone="America/New_York")
    order = make_order(external_id="O-1", number="80001", buyer=buyer)
    other = make_order(external_id="O-2", number="80002", buyer=buyer)

    def opened(order, line):
        return return_opened(
            order=order,
            lines=[RequestedLine(line=line, quantity=1, reason=Reason.DEFECTIVE)],
            actor=keys.actors["platform"],
        )

    approved = return_to(opened(order, "L1"), Status.APPROVED)
    requested = opened(order, "L2")
    return_to(opened(order, "L1"), Status.CANCELLED)
    opened(other, "L1")
    return approved, requested


def _ask(*, order="80001", email="ana.ruiz@EXAMPLE.com", client="203.0.113.7", at=AT):
    with frozen_clock(at):
        code_reminder_request(order=order, email=email, client=client, now=at)


def test_the_buyer_gets_the_orders_requested_and_approved_codes_at_the_address_on_file(
    ana, django_capture_on_commit_callbacks
):
    approved, requested = ana

    with django_capture_on_commit_callbacks(execute=True):
        _ask()

    (message,) = mail.outbox
    assert (message.to, message.subject) == ([EMAIL], "Your return codes for order 80001")
    assert message.body == (
        "You asked for the return codes of your order 80001 from Seller S-A.\n\n"
        f"{approved.code_display}  approved: hand the parcel over by March 20, 2026, 9 a.m. (America/New_York)\n"
        f"{requested.code_display}  waiting for the seller's approval, which sets the date to hand the parcel over"
        " by\n\n"
        "Show the code at the drop-off counter when you hand the parcel over; the counter checks it. If you did not"
        " ask for this message, ignore it: nothing has changed."
    )
    assert approved.ship_by == NOW + timedelta(hours=1, days=10)


def test_the_orders_external_id_finds_it_too(ana, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _ask(order="O-2")

    (message,) = mail.outbox
    assert (message.to, message.subject) == ([EMAIL], "Your return code for order 80002")


def test_an_order_number_with_a_line_break_is_mailed_on_one_line(ana, django_capture_on_commit_callbacks):
    # Imported before numbers were checked (the import now refuses it): the mail still leaves.
    Order.objects.filter(external_id="O-2").update(number="80002\nBcc: x@example.com")

    with django_capture_on_commit_callbacks(execute=True):
        _ask(order="O-2")

    (message,) = mail.outbox
    assert message.subject == "Your return code for order 80002 Bcc: x@example.com"
    assert message.message()["Subject"] == message.subject


@pytest.mark.parametrize(
    ("order", "email"),
    [("80001", "someone@example.com"), ("80009", EMAIL), ("80001", "ana.ruiz@example.co")],
    ids=["another address", "no such order", "almost the address"],
)
def test_no_match_mails_nothing_and_answers_the_same(ana, django_capture_on_commit_callbacks, order, email):
    with django_capture_on_commit_callbacks(execute=True):
        answer = code_reminder_request(order=order, email=email, client="203.0.113.7")

    assert (answer, mail.outbox) == (None, [])


def test_a_match_and_a_miss_cost_the_same_statements(ana, django_capture_on_commit_callbacks):
    statements = []
    for email in (EMAIL, "nobody@example.com"):
        with django_capture_on_commit_callbacks(execute=False), CaptureQueriesContext(connection) as captured:
            _ask(email=email, client=email)
        statements.append([query["sql"].split(" ", 1)[0] for query in captured.captured_queries])

    # The client's and the address's counters, the lookup (in its transaction, on SQLite's BEGIN).
    assert statements[0] == statements[1]
    assert [kind for kind in statements[0] if kind in ("INSERT", "SELECT")] == ["INSERT", "INSERT", "SELECT"]


def test_no_mail_leaves_before_the_commit(ana, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        _ask()

    assert (len(callbacks), mail.outbox) == (1, [])


def test_a_fourth_request_an_hour_for_an_address_is_refused_matched_or_not(ana):
    for email in (EMAIL, "nobody@example.com"):
        for _ in range(3):
            _ask(email=email, client=f"client of {email}", at=AT)
        with pytest.raises(RateLimited) as refused:
            _ask(email=email.upper(), client="another client", at=AT)
        assert (refused.value.status, refused.value.code, refused.value.retry_after) == (429, "rate_limited", 3600)

    _ask(email=EMAIL, at=AT + timedelta(hours=1))


def test_twenty_requests_an_hour_from_one_client(ana, settings):
    for index in range(20):
        _ask(email=f"n{index}@example.com", client="203.0.113.9", at=AT + timedelta(minutes=15))

    with pytest.raises(RateLimited) as refused:
        _ask(email=EMAIL, client="203.0.113.9", at=AT + timedelta(minutes=15))

    assert refused.value.retry_after == 45 * 60


def test_the_limits_follow_the_settings(ana, settings):
    settings.RETURNDESK = {**settings.RETURNDESK, "CODE_REMINDERS_PER_HOUR_PER_CLIENT": 1}
    _ask(email="one@example.com")

    with pytest.raises(RateLimited):
        _ask(email="two@example.com")


def test_purge_keeps_the_counters_until_their_hour_ends(ana):
    # Counted at 12:10 in the window of 12:00 to 13:00.
    _ask(at=AT + timedelta(minutes=10))
    counted = RateCounter.objects.count()

    assert counters_purge(now=AT + timedelta(minutes=59)) == 0
    assert counters_purge(now=AT + timedelta(hours=1)) == 0
    assert counters_purge(now=AT + timedelta(hours=1, minutes=1)) == counted == 2


# Re-sent by the platform or customer service ---------------------------------------------------


def test_a_resend_mails_the_address_on_file_and_goes_on_the_timeline(ana, keys, django_capture_on_commit_callbacks):
    approved, _ = ana

    with django_capture_on_commit_callbacks(execute=True), frozen_clock(AT):
        return_code_resend(code=approved.code.lower(), actor=keys.actors["agent"])

    (message,) = mail.outbox
    assert (message.to, message.subject) == ([EMAIL], "Your return code for order 80001")
    assert message.body.startswith(
        "Customer service sent you your return code again, as you asked.\n\n"
        f"{approved.code_display}  approved: hand the parcel over by March 20, 2026, 9 a.m. (America/New_York)\n\n"
    )
    event = ReturnEvent.objects.filter(return_request=approved).latest("id")
    assert (event.action, event.from_status, event.to_status, event.at, event.actor_kind, event.data) == (
        "code_resent",
        "approved",
        "approved",
        AT,
        "agent",
        {},
    )


def test_a_code_past_its_use_is_not_resent(ana, keys, django_capture_on_commit_callbacks):
    received = return_to(Return.objects.get(order__external_id="O-2"), Status.RECEIVED)
    events = ReturnEvent.objects.count()

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(CodeNotNeeded) as refused:
        return_code_resend(code=received.code, actor=keys.actors["platform"])

    assert (refused.value.status, refused.value.code, refused.value.extra) == (
        409,
        "code_not_needed",
        {"return_status": "received"},
    )
    assert (ReturnEvent.objects.count(), mail.outbox, RateCounter.objects.count()) == (events, [], 0)


def test_resends_count_toward_the_addresss_limit(ana, keys, django_capture_on_commit_callbacks):
    approved, _ = ana
    for _ in range(3):
        _ask(client="203.0.113.1")
    events = ReturnEvent.objects.count()

    with frozen_clock(AT), django_capture_on_commit_callbacks(execute=True), pytest.raises(RateLimited) as refused:
        return_code_resend(code=approved.code, actor=keys.actors["agent"])

    assert (refused.value.code, refused.value.retry_after) == ("rate_limited", 3600)
    assert (ReturnEvent.objects.count(), mail.outbox) == (events, [])
