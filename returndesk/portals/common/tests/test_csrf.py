"""A page's form without its CSRF token is 403 ``csrf_failed``; the API's bearer routes never are."""

from __future__ import annotations

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from returndesk.returns.domain.lifecycle import Status

pytestmark = pytest.mark.urls("returndesk.portals.common.tests.urls")


@pytest.fixture
def browser() -> Client:
    return Client(enforce_csrf_checks=True)


def test_a_form_posted_without_its_token_is_403_csrf_failed_in_words(browser, signed_in, keys, make_return):
    ret = make_return()
    signed_in(keys.actors["seller_a"])

    response = browser.post(f"/test/returns/{ret.code}/approve")

    assert response.status_code == 403
    assert 'data-problem="csrf_failed"' in response.text
    assert '<h1 id="problem-title">This form could not be accepted</h1>' in response.text
    assert "Reload the page and send the form again." in response.text
    ret.refresh_from_db()
    assert ret.status == Status.REQUESTED


def test_with_its_token_the_same_form_goes_through(browser, signed_in, keys, make_return):
    ret = make_return()
    signed_in(keys.actors["seller_a"])
    browser.get(f"/test/returns/{ret.code}/approve")  # sets the CSRF cookie, as showing the form does

    response = browser.post(
        f"/test/returns/{ret.code}/approve", {"csrfmiddlewaretoken": browser.cookies["csrftoken"].value}
    )

    assert response.status_code == 302
    ret.refresh_from_db()
    assert ret.status == Status.APPROVED


def test_htmx_gets_the_csrf_problem_partial_alone(browser, signed_in, keys, make_return):
    ret = make_return()
    signed_in(keys.actors["seller_a"])

    response = browser.post(f"/test/returns/{ret.code}/approve", headers={"HX-Request": "true"})

    assert response.status_code == 403
    assert response.text.lstrip().startswith('<section class="problem" role="alert" aria-labelledby="problem-title" '
                                             'data-problem="csrf_failed">')  # fmt: skip


def test_the_api_takes_no_csrf_token_even_from_a_browser_with_a_session(browser, keys, make_return):
    ret = make_return()
    staff = get_user_model().objects.create_user("someone", password="not-used-here", is_staff=True)
    browser.force_login(staff)

    response = browser.post(
        f"/api/v1/returns/{ret.code}/approve",
        {},
        content_type="application/json",
        headers={"Authorization": f"Bearer {keys.tokens['seller_a']}"},
    )

    assert response.status_code == 200
    assert response.json()["status"] == "approved"
