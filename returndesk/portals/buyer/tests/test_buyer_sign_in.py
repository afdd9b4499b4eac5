"""Buyers sign in by link on the pages: ask, open, confirm; once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail
from django.test import Client

from returndesk.accounts.auth import BUYER_SESSION_KEY
from returndesk.accounts.services import portal_link_create, staff_create
from returndesk.marketplace.models import Buyer
from returndesk.scenarios.payloads import buyer_payload
from returndesk.testing import NOW, frozen_clock

LINK = re.compile(r"http://testserver(/buyer/link/[A-Za-z0-9_-]+)")


@pytest.fixture
def buyer(make_order) -> Buyer:
    make_order(external_id="O-1", buyer=buyer_payload("B-1", email="ana@example.com"))
    return Buyer.objects.get()


def _visible_text(page: bytes) -> str:
    """The page as a reader sees it: no markup, no per-request token."""
    text = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", page.decode())
    text = re.sub(r'"X-CSRFToken": "[^"]+"', "", text)
    return re.sub(r"\s+", " ", text)


def test_the_email_form_page(db):
    page = Client().get("/buyer/sign-in/").content.decode()

    assert '<label for="buyer-email">Email</label>' in page
    assert 'action="/buyer/sign-in/"' in page


def test_asking_answers_the_same_page_for_known_and_unknown(buyer, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        known = Client().post("/buyer/sign-in/", {"email": "ANA@example.com"})
        unknown = Client().post("/buyer/sign-in/", {"email": "ZOE@example.com"})

    assert (known.status_code, unknown.status_code) == (200, 200)
    assert _visible_text(known.content).replace("ANA", "X") == _visible_text(unknown.content).replace("ZOE", "X")
    assert [message.to for message in mail.outbox] == [["ana@example.com"]]


def test_a_malformed_address_is_422(db):
    answer = Client().post("/buyer/sign-in/", {"email": "not-an-address"})

    assert answer.status_code == 422
    assert 'data-problem="validation_error"' in answer.content.decode()


def test_the_fourth_request_in_an_hour_is_429(buyer):
    with frozen_clock(NOW):
        statuses = [Client().post("/buyer/sign-in/", {"email": "ana@example.com"}).status_code for _ in range(3)]
        refused = Client().post("/buyer/sign-in/", {"email": "ana@example.com"})

    assert statuses == [200] * 3
    assert (refused.status_code, refused["Retry-After"]) == (429, "3600")
    assert 'data-problem="rate_limited"' in refused.content.decode()


def _mailed_link(client: Client, django_capture_on_commit_callbacks) -> str:
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/buyer/sign-in/", {"email": "ana@example.com"})
    found = LINK.search(mail.outbox[-1].body)
    assert found is not None
    return found.group(1)


def test_opening_a_link_consumes_nothing_and_its_post_signs_in_once(buyer, django_capture_on_commit_callbacks):
    client = Client()
    path = _mailed_link(client, django_capture_on_commit_callbacks)
    client.session.save()
    before = client.session.session_key

    first_look, second_look = client.get(path), client.get(path)
    signed_in = client.post(path)
    again = Client().post(path)

    assert (first_look.status_code, second_look.status_code) == (200, 200)
    assert '<button type="submit">Sign in</button>' in first_look.content.decode()
    assert (signed_in.status_code, signed_in["Location"]) == (303, "/buyer/")
    assert client.session[BUYER_SESSION_KEY] == buyer.pk
    assert client.session.session_key != before
    assert again.status_code == 410
    page = again.content.decode()
    assert 'data-problem="sign_in_link_invalid"' in page
    assert 'action="/buyer/sign-in/"' in page


def test_sign_in_pressed_twice_on_one_page_signs_in_though_the_first_answer_was_lost(buyer):
    url, _ = portal_link_create(buyer=buyer, origin="http://testserver")
    path = url.removeprefix("http://testserver")
    page = Client().get(path).content
    form = re.search(r'name="form" value="([^"]+)"', page.decode())
    assert form is not None

    with frozen_clock(NOW):
        first = Client().post(path, {"form": form.group(1)})  # its answer never reaches the browser
    browser = Client()
    with frozen_clock(NOW + timedelta(seconds=9)):
        second = browser.post(path, {"form": form.group(1)})
        third = Client().post(path, {"form": form.group(1)})

    assert (first.status_code, second.status_code, third.status_code) == (303, 303, 410)
    assert browser.session[BUYER_SESSION_KEY] == buyer.pk


@pytest.mark.parametrize(
    ("form", "after"),
    [("another page's", timedelta(seconds=1)), ("", timedelta(seconds=1)), (None, timedelta(seconds=11))],
    ids=["another page", "no page", "too late"],
)
def test_a_spent_link_signs_in_again_only_from_its_page_at_once(buyer, form, after):
    url, _ = portal_link_create(buyer=buyer, origin="http://testserver")
    path = url.removeprefix("http://testserver")
    found = re.search(r'name="form" value="([^"]+)"', Client().get(path).content.decode())
    assert found is not None

    with frozen_clock(NOW):
        Client().post(path, {"form": found.group(1)})
    with frozen_clock(NOW + after):
        again = Client().post(path, {"form": found.group(1) if form is None else form})

    assert again.status_code == 410


def test_a_portal_link_lands_on_its_return(buyer):
    url, _ = portal_link_create(buyer=buyer, origin="http://testserver", return_code="K7Q2XM4D9T3O6")

    answer = Client().post(url.removeprefix("http://testserver"))

    assert (answer.status_code, answer["Location"]) == (303, "/buyer/returns/K7Q2XM4D9T3O6")


def test_an_unknown_link_is_410(db):
    assert Client().post("/buyer/link/nonsense").status_code == 410


def test_a_buyer_link_signs_out_a_staff_member_on_the_same_browser(buyer):
    _, password = staff_create(email="a@x.example", role="agent")
    client = Client()
    client.post("/sign-in/", {"email": "a@x.example", "password": password})
    url, _ = portal_link_create(buyer=buyer, origin="http://testserver")

    client.post(url.removeprefix("http://testserver"))

    assert "_auth_user_id" not in client.session
    assert client.session[BUYER_SESSION_KEY] == buyer.pk


def test_the_links_post_needs_the_csrf_token(buyer):
    url, _ = portal_link_create(buyer=buyer, origin="http://testserver")

    answer = Client(enforce_csrf_checks=True).post(url.removeprefix("http://testserver"))

    assert answer.status_code == 403
