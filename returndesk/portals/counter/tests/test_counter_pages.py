"""The counter page: one field, the verifier's answer in words, failures counted per clerk and point."""

from __future__ import annotations

import html
import re
from datetime import timedelta

import pytest
from django.test import Client

from returndesk.returns.domain import codes
from returndesk.returns.domain.lifecycle import Status
from returndesk.scenarios.journeys import return_to
from returndesk.scenarios.payloads import buyer_payload
from returndesk.testing import NOW, frozen_clock
from returndesk.testing.portal_clients import COUNTER_CARRIER, COUNTER_POINT, staff_client

HTMX = {"HX-Request": "true"}
CHECKED_AT = NOW + timedelta(days=1)
UNKNOWN_CODE = "RD0000000001M"


@pytest.fixture
def clerk(db) -> Client:
    return staff_client("counter@post.example", "counter", carrier=COUNTER_CARRIER, point_id=COUNTER_POINT)


@pytest.fixture
def at_checked_at():
    with frozen_clock(CHECKED_AT) as now:
        yield now


@pytest.fixture
def approved(make_return, at_checked_at):
    return return_to(make_return(), Status.APPROVED)


def one_slip(code: str) -> str:
    """``code`` with its second symbol changed: a typo whose suggestions include ``code``."""
    replacement = "0" if code[1] != "0" else "1"
    return code[0] + replacement + code[2:]


def check(client: Client, code: str, **headers: str):
    return client.post("/counter/check", {"code": code}, headers=headers)


def answer_of(response) -> dict[str, str | None]:
    """What the page's answer says: the verifier's result, message and refusal reason."""
    text = response.text
    result = re.search(r'data-result="([a-z_]+)"', text)
    message = re.search(r"<p data-message>(.*?)</p>", text, re.S)
    reason = re.search(r'data-reason="([a-z_]+)"', text)
    return {
        "result": result.group(1) if result else None,
        "message": html.unescape(message.group(1)) if message else None,
        "reason": reason.group(1) if reason else None,
    }


def test_the_page_has_one_code_field_focused_without_autocorrect(clerk):
    page = clerk.get("/counter/").text

    assert '<label for="counter-code">Return code</label>' in page
    field = re.search(r'<input id="counter-code"[^>]*>', page, re.S).group(0)
    for attribute in (
        'name="code"',
        "autofocus",
        'autocomplete="off"',
        'autocorrect="off"',
        'autocapitalize="characters"',
        'spellcheck="false"',
    ):
        assert attribute in field
    assert 'action="/counter/check" hx-post="/counter/check" hx-target="#counter-answer"' in page
    assert 'id="counter-answer" class="counter-answer" aria-live="polite"' in page
    assert '<script src="/static/portals/counter.js" defer></script>' in page


def test_a_valid_code_says_accept_with_the_seller_items_and_ship_by(clerk, approved):
    response = check(clerk, codes.display(approved.code).lower())

    assert response.status_code == 200
    assert answer_of(response) == {"result": "valid", "message": "The parcel may be accepted.", "reason": None}
    assert '<p class="counter-verdict-words">Accept</p>' in response.text
    assert f'data-code="{approved.code}"' in response.text
    assert "<dd data-seller>Seller S-A, City of S-A</dd>" in response.text
    assert "<dd data-items>1</dd>" in response.text
    assert f'<time datetime="{approved.ship_by.isoformat()}">' in response.text
    # The one way on from here: Accept parcel, a form to the handover (test_counter_handover.py).
    assert re.findall(r'<form method="post" action="(/counter/handover)"', response.text) == ["/counter/handover"]


def test_htmx_gets_the_answer_alone(clerk, approved):
    response = check(clerk, approved.code, **HTMX)

    assert response.status_code == 200
    assert "<html" not in response.text
    assert response.text.lstrip().startswith('<article class="counter-verdict-box" data-result="valid"')


def test_without_javascript_the_page_comes_back_with_the_answer_and_the_field_focused(clerk, approved):
    response = check(clerk, approved.code)

    assert "<html" in response.text
    assert 'value="' + approved.code + '"' in response.text
    assert "autofocus" in response.text
    assert 'data-result="valid"' in response.text


def test_a_typo_offers_each_suggestion_as_a_button_that_checks_it(clerk, approved):
    mistyped = one_slip(approved.code)

    response = check(clerk, mistyped)

    assert answer_of(response)["result"] == "typo"
    assert '<p class="counter-verdict-words">Do not accept</p>' in response.text
    button = (
        f'<button type="submit" name="code" value="{approved.code}" data-suggestion="{approved.code}">'
        f'Check <span class="counter-code">{codes.display(approved.code)}</span></button>'
    )
    assert button in response.text
    assert answer_of(check(clerk, approved.code))["result"] == "valid"


@pytest.mark.parametrize(
    "refusal",
    [
        (Status.REQUESTED, "not_acceptable", "awaiting_approval"),
        (Status.RECEIVED, "used", None),
        (Status.CANCELLED, "cancelled", None),
        (Status.REJECTED, "not_acceptable", "rejected"),
    ],
    ids=["requested", "received", "cancelled", "rejected"],
)
def test_a_refused_code_says_do_not_accept_with_the_reason_in_words(clerk, make_return, at_checked_at, refusal):
    status, result, reason = refusal
    ret = return_to(make_return(), status)

    response = check(clerk, ret.code)

    assert (answer_of(response)["result"], answer_of(response)["reason"]) == (result, reason)
    assert '<p class="counter-verdict-words">Do not accept</p>' in response.text
    assert "data-seller" not in response.text


def test_the_refusal_reason_is_in_words(clerk, make_return, at_checked_at):
    response = check(clerk, make_return().code)

    assert "<p data-refusal-reason>The seller has not approved the return yet</p>" in response.text


@pytest.mark.parametrize("case", ["valid", "typo", "malformed", "unknown", "awaiting_approval", "used", "expired"])
def test_the_page_answers_what_the_api_answers_a_carrier_key(clerk, keys, make_return, at_checked_at, case):
    requested = make_return()
    typed = {
        "valid": lambda: return_to(make_return(), Status.APPROVED).code,
        "typo": lambda: one_slip(return_to(make_return(), Status.APPROVED).code),
        "malformed": lambda: "not a code",
        "unknown": lambda: UNKNOWN_CODE,
        "awaiting_approval": lambda: requested.code,
        "used": lambda: return_to(make_return(), Status.RECEIVED).code,
        "expired": lambda: return_to(make_return(), Status.EXPIRED).code,
    }[case]()

    api = keys.client("carrier").get(f"/api/v1/codes/{typed}").json()
    page = answer_of(check(clerk, typed))

    assert page == {"result": api["result"], "message": api["message"], "reason": api["reason"]}


@pytest.fixture
def limit_of_two(settings):
    settings.RETURNDESK = {**settings.RETURNDESK, "VERIFY_FAILURES_PER_MINUTE": 2}


def test_failures_count_against_the_clerk_s_point_which_the_carrier_s_keys_share(
    clerk, keys, make_return, at_checked_at, limit_of_two
):
    colleague = staff_client("colleague@post.example", "counter", carrier=COUNTER_CARRIER, point_id=COUNTER_POINT)
    elsewhere = staff_client("elsewhere@post.example", "counter", carrier=COUNTER_CARRIER, point_id="DEMO-2")
    other_carrier = staff_client("counter@parcel.example", "counter", carrier="other-post", point_id=COUNTER_POINT)
    keys.make("post", role="carrier", carrier=COUNTER_CARRIER)
    ret = return_to(make_return(), Status.APPROVED)

    failures = [check(clerk, UNKNOWN_CODE).status_code for _ in range(2)]
    refused_colleague = check(colleague, ret.code)
    refused_key = keys.client("post").get(f"/api/v1/codes/{ret.code}", {"point_id": COUNTER_POINT})

    assert failures == [200, 200]
    assert (refused_colleague.status_code, refused_key.status_code) == (429, 429)
    assert answer_of(check(elsewhere, ret.code))["result"] == "valid"
    assert answer_of(check(other_carrier, ret.code))["result"] == "valid"


def test_failures_count_against_the_clerk_wherever_they_check(clerk, make_return, at_checked_at, limit_of_two):
    ret = return_to(make_return(), Status.APPROVED)
    for _ in range(2):
        check(clerk, UNKNOWN_CODE)

    assert check(clerk, ret.code).status_code == 429


def test_past_the_limit_the_wait_is_shown_as_the_api_gives_it(clerk, keys, make_return, at_checked_at, limit_of_two):
    keys.make("post", role="carrier", carrier=COUNTER_CARRIER)
    for _ in range(2):
        check(clerk, UNKNOWN_CODE)

    page = check(clerk, UNKNOWN_CODE, **HTMX)
    api = keys.client("post").get(f"/api/v1/codes/{UNKNOWN_CODE}", {"point_id": COUNTER_POINT})

    assert (page.status_code, api.status_code) == (429, 429)
    assert page["Retry-After"] == api["Retry-After"]
    problem = api.json()
    assert f'data-problem="{problem["code"]}"' in page.text
    assert f'<h2 id="problem-title">{problem["title"]}</h2>' in page.text
    assert f"<p>{problem['detail']}</p>" in page.text
    assert f"Try again in {problem['retry_after']} seconds." in page.text
    assert '<p class="counter-verdict-words">Wait</p>' in page.text


def test_an_empty_code_is_422_and_counts_nothing(clerk, make_return, at_checked_at, limit_of_two):
    ret = return_to(make_return(), Status.APPROVED)

    answers = [check(clerk, "  ").status_code for _ in range(3)]

    assert answers == [422, 422, 422]
    assert 'data-problem="validation_error"' in check(clerk, "").text
    assert answer_of(check(clerk, ret.code))["result"] == "valid"


def test_a_code_too_long_is_422_saying_so(clerk):
    page = check(clerk, "X" * 70)

    assert page.status_code == 422
    assert "A return code is at most 64 characters; this is 70." in page.text


def test_check_takes_only_posts(clerk):
    response = clerk.get("/counter/check")

    assert response.status_code == 405
    assert 'data-problem="method_not_allowed"' in response.text


def test_a_post_without_its_csrf_token_is_403_csrf_failed(db, approved):
    clerk = staff_client("strict@post.example", "counter", carrier=COUNTER_CARRIER, point_id=COUNTER_POINT)
    clerk.handler.enforce_csrf_checks = True

    response = check(clerk, approved.code)

    assert response.status_code == 403
    assert 'data-problem="csrf_failed"' in response.text


def test_the_counter_learns_nothing_of_the_buyer_or_the_order(clerk, make_order, make_return, at_checked_at):
    order = make_order(external_id="O-SECRET", buyer=buyer_payload("B-ZOE", name="Zoe Secret", email="zoe@example.com"))
    ret = return_to(make_return(order=order), Status.APPROVED)

    response = check(clerk, ret.code)

    assert answer_of(response)["result"] == "valid"
    for private in ("Zoe Secret", "zoe@example.com", "B-ZOE", "O-SECRET"):
        assert private not in response.text
