"""The two code-reminder routes over HTTP: one answer for a match and a miss, mail after the
answer, Retry-After past the limits, and the re-send's idempotency and refusals."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client, TestCase

from returndesk.core.problems import TYPE_BASE
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.models import ReturnEvent
from returndesk.scenarios.journeys import return_to
from returndesk.scenarios.payloads import buyer_payload
from returndesk.testing import NOW, frozen_clock

JSON = "application/json"
AT = NOW + timedelta(days=1)
ACCEPTED = b'{"status":"accepted"}'


@pytest.fixture
def approved(make_order, make_return):
    order = make_order(number="80001", buyer=buyer_payload("B-ANA", email="ana@example.com"))
    return return_to(make_return(order=order), Status.APPROVED)


def committed():
    """Run what a request leaves for its commit (the test's own transaction never commits)."""
    return TestCase.captureOnCommitCallbacks(execute=True)


def _ask(body, *, client_address="203.0.113.7", **headers):
    with frozen_clock(AT), committed():
        return Client(REMOTE_ADDR=client_address).post(
            "/api/v1/code-reminders", body, content_type=JSON, headers=headers
        )


def test_a_match_and_a_miss_get_the_same_bytes_and_only_the_match_mails(approved):
    matched = _ask({"order": "80001", "email": "ANA@example.com"})
    missed = _ask({"order": "80001", "email": "someone@example.com"})

    assert [(answer.status_code, answer["Content-Type"], answer.content) for answer in (matched, missed)] == [
        (202, JSON, ACCEPTED)
    ] * 2
    assert [(message.to, message.subject) for message in mail.outbox] == [
        (["ana@example.com"], "Your return code for order 80001")
    ]


def test_the_idempotency_key_is_ignored(approved):
    answers = [_ask({"order": "80001", "email": "ana@example.com"}, **{"Idempotency-Key": "k"}) for _ in range(2)]

    assert [(answer.status_code, answer.has_header("Idempotent-Replayed")) for answer in answers] == [(202, False)] * 2
    assert len(mail.outbox) == 2


def test_past_the_addresss_limit_the_answer_is_429_with_retry_after(approved):
    for index in range(3):
        _ask({"order": "80001", "email": "ana@example.com"}, client_address=f"203.0.113.{index}")

    refused = _ask({"order": "anything", "email": "Ana@Example.com"}, client_address="198.51.100.1")

    assert (refused.status_code, refused["Retry-After"], refused.json()["code"]) == (429, "3600", "rate_limited")
    assert len(mail.outbox) == 3


def test_a_body_without_an_address_is_refused(db):
    refused = _ask({"order": "80001", "email": "  "})

    assert (refused.status_code, [error["loc"] for error in refused.json()["errors"]]) == (
        422,
        [["body", "payload", "email"]],
    )


def _resend(keys, code, caller="agent", **headers):
    with frozen_clock(AT), committed():
        return keys.client(caller).post(f"/api/v1/returns/{code}/code-reminder", {}, content_type=JSON, headers=headers)


def test_a_resend_answers_202_and_puts_code_resent_on_the_timeline(keys, approved):
    answer = _resend(keys, approved.code_display.lower())

    assert (answer.status_code, answer.content) == (202, ACCEPTED)
    timeline = keys.client("agent").get(f"/api/v1/returns/{approved.code}").json()["timeline"]
    assert timeline[-1] | {"id": None} == {
        "id": None,
        "at": "2026-03-11T12:00:00Z",
        "actor": {"kind": "agent", "id": keys.actors["agent"].id, "on_behalf_of": None},
        "action": "code_resent",
        "from_status": "approved",
        "to_status": "approved",
        "reason": "",
        "data": {},
    }
    assert [message.to for message in mail.outbox] == [["ana@example.com"]]


def test_a_resend_repeated_with_its_idempotency_key_mails_once(keys, approved):
    first = _resend(keys, approved.code, **{"Idempotency-Key": "resend-1"})
    again = _resend(keys, approved.code_display, **{"Idempotency-Key": "resend-1"})

    assert (first.status_code, again.status_code, again["Idempotent-Replayed"]) == (202, 202, "true")
    assert again.content == first.content == ACCEPTED
    assert (ReturnEvent.objects.filter(action="code_resent").count(), len(mail.outbox)) == (1, 1)


def test_a_received_returns_code_is_not_needed(keys, approved, make_return):
    received = return_to(make_return(order=approved.order, line="L2"), Status.RECEIVED)

    refused = _resend(keys, received.code, caller="platform")

    assert (refused.status_code, refused.json()) == (
        409,
        {
            "type": TYPE_BASE + "code_not_needed",
            "title": "Only a requested or approved return's code is sent again",
            "status": 409,
            "detail": "The return is received: its code is needed only while the return is requested or approved.",
            "code": "code_not_needed",
            "return_status": "received",
        },
    )
    assert mail.outbox == []


def test_past_the_addresss_limit_a_resend_is_429(keys, approved):
    for _ in range(3):
        assert _resend(keys, approved.code).status_code == 202

    refused = _resend(keys, approved.code)

    assert (refused.status_code, refused["Retry-After"], refused.json()["code"]) == (429, "3600", "rate_limited")
    assert (ReturnEvent.objects.filter(action="code_resent").count(), len(mail.outbox)) == (3, 3)
