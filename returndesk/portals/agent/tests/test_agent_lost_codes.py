"""A buyer on the phone without their code: the Search box finds the return by its tracking
number, and Re-send code (a CSRF form with a one-time token on requested and approved returns)
mails it; the API's refusals (409 code_not_needed, 429 rate_limited) show on the return page."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import TestCase

from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.models import Return, ReturnEvent
from returndesk.returns.services import code_reminder_request, return_receive
from returndesk.scenarios.journeys import return_to
from returndesk.scenarios.payloads import buyer_payload
from returndesk.testing import NOW, frozen_clock
from returndesk.testing.portal_clients import WHO, portal_people, staff_client

AT = NOW + timedelta(days=1)
EMAIL = "ana@example.com"


@pytest.fixture
def approved(make_order, make_return):
    order = make_order(external_id="O-1", number="80001", buyer=buyer_payload("B-ANA", email=EMAIL))
    return return_to(make_return(order=order), Status.APPROVED)


@pytest.fixture
def agent(db):
    return staff_client("agent@returndesk.example", "agent", csrf_checks=True)


def _token(page: str) -> str:
    found = re.search(r'<input type="hidden" name="token" value="([^"]+)">', page)
    assert found is not None
    return found.group(1)


def _csrf(page: str) -> str:
    found = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page)
    assert found is not None
    return found.group(1)


def _resend(client, code: str, *, token: str | None = None):
    """Open the return page and press Re-send code (the form's tokens), mail sent on commit."""
    page = client.get(f"/agent/returns/{code}").text
    data = {"csrfmiddlewaretoken": _csrf(page), "token": token or _token(page)}
    with frozen_clock(AT), TestCase.captureOnCommitCallbacks(execute=True):
        return client.post(f"/agent/returns/{code}/code-reminder", data)


def test_the_search_box_finds_a_return_by_its_tracking_number_typed_however(agent, approved):
    Return.objects.filter(pk=approved.pk).update(tracking_number="1Z999AA10123456784")

    page = agent.get("/agent/", {"q": "1z999aa1 0123456784"}).text

    assert 'data-search-by="tracking_number"' in page
    assert "1 return found by tracking number" in page
    assert re.findall(r'<tr data-code="([0-9A-Z]+)"', page) == [approved.code]


def test_an_approved_return_offers_re_send_code_with_csrf_and_a_one_time_token(agent, approved):
    page = agent.get(f"/agent/returns/{approved.code}").text

    form = re.search(r'<form method="post" action="([^"]+)" data-form="code-resend">(.*?)</form>', page, re.S)
    assert form is not None
    assert form.group(1) == f"/agent/returns/{approved.code}/code-reminder"
    assert 'name="csrfmiddlewaretoken"' in form.group(2)
    assert _token(form.group(2))
    assert '<button type="submit" aria-describedby="code-resend-help">Re-send code</button>' in form.group(2)
    assert f"to the buyer's address on file, {EMAIL}, never to another." in page


def test_a_received_return_offers_none(agent, make_return):
    received = return_to(make_return(), Status.RECEIVED)

    assert 'data-form="code-resend"' not in agent.get(f"/agent/returns/{received.code}").text


def test_re_send_mails_the_buyer_and_shows_the_return_with_its_new_event(agent, approved):
    answer = _resend(agent, approved.code_display)

    assert (answer.status_code, answer["Location"]) == (303, f"/agent/returns/{approved.code}")
    assert [(message.to, message.subject) for message in mail.outbox] == [([EMAIL], "Your return code for order 80001")]
    page = agent.get(answer["Location"]).text
    assert 'data-action="code_resent"' in page
    assert "Return code re-sent to the buyer" in page
    assert re.search(r'<p data-last-resent>Last re-sent on <time datetime="2026-03-11T12:00:00\+00:00">', page)


def test_a_double_submit_mails_once(agent, approved):
    page = agent.get(f"/agent/returns/{approved.code}").text

    answers = [_resend(agent, approved.code, token=_token(page)) for _ in range(2)]

    assert [answer.status_code for answer in answers] == [303, 303]
    assert (len(mail.outbox), ReturnEvent.objects.filter(action="code_resent").count()) == (1, 1)


def test_a_code_no_longer_needed_is_the_apis_409_on_the_return_page(agent, approved, keys):
    page = agent.get(f"/agent/returns/{approved.code}").text
    # The parcel arrives while the page is open.
    return_receive(code=approved.code, actor=keys.actors["seller_a"])
    data = {"csrfmiddlewaretoken": _csrf(page), "token": _token(page)}

    with TestCase.captureOnCommitCallbacks(execute=True):
        refused = agent.post(f"/agent/returns/{approved.code}/code-reminder", data)

    assert refused.status_code == 409
    assert 'data-problem="code_not_needed"' in refused.text
    assert f'<article data-code="{approved.code}" data-status="received">' in refused.text
    assert 'data-form="code-resend"' not in refused.text
    assert mail.outbox == []


def test_past_the_addresss_limit_the_page_says_when_to_try_again(agent, approved):
    for index in range(3):
        code_reminder_request(order="80001", email=EMAIL, client=f"203.0.113.{index}", now=AT)

    refused = _resend(agent, approved.code)

    assert (refused.status_code, refused["Retry-After"]) == (429, "3600")
    assert 'data-problem="rate_limited"' in refused.text
    assert "Try again in 3600 seconds." in refused.text
    assert ReturnEvent.objects.filter(action="code_resent").count() == 0


def test_a_form_without_its_csrf_token_is_refused(agent, approved):
    refused = agent.post(f"/agent/returns/{approved.code}/code-reminder", {"token": "t-1"})

    assert (refused.status_code, 'data-problem="csrf_failed"' in refused.text) == (403, True)
    assert mail.outbox == []


@pytest.mark.parametrize("person", WHO)
def test_only_customer_service_may_re_send(approved, make_order, person):
    make_order(buyer=buyer_payload("B-2"), seller="S-B")
    people = portal_people(buyer_a="B-ANA", buyer_b="B-2", seller_a="S-A", seller_b="S-B")
    path = f"/agent/returns/{approved.code}/code-reminder"

    with TestCase.captureOnCommitCallbacks(execute=True):
        answer = people[person].post(path, {"token": "t-1"})

    expected = {"agent": (303, f"/agent/returns/{approved.code}"), "signed_out": (302, f"/sign-in/?next={path}")}
    shown = answer.get("Location") or re.search(r'data-problem="([a-z_]+)"', answer.text).group(1)
    assert (answer.status_code, shown) == expected.get(person, (403, "forbidden"))
    assert len(mail.outbox) == (person == "agent")
