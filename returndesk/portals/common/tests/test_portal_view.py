"""``portal_view``: the gate every portal page passes, and problems answered in the API's words."""

from __future__ import annotations

import json

import pytest
from django.utils.html import escape

from returndesk.core.errors import CsrfFailed
from returndesk.core.problems import problem_body
from returndesk.portals.common.tests.conftest import BUYER_ANA, COUNTER_CLERK, MANAGER
from returndesk.returns.services import return_approve

pytestmark = pytest.mark.urls("returndesk.portals.common.tests.urls")
HTMX = {"HX-Request": "true"}


def _problem(response) -> str:
    """The problem partial's section, as the page shows it."""
    text = response.text
    return text[text.index('<section class="problem"') : text.index("</section>") + len("</section>")]


def test_signed_out_a_staff_portal_redirects_to_sign_in_with_the_page_to_come_back_to(client, signed_in):
    signed_in(None)

    response = client.get("/test/seller/?status=requested")

    assert (response.status_code, response["Location"]) == (302, "/sign-in/?next=/test/seller/%3Fstatus%3Drequested")


def test_signed_out_the_buyer_portal_lets_its_front_page_decide_and_sends_other_pages_to_it(client, signed_in):
    signed_in(None)

    front = client.get("/test/buyer/")
    orders = client.get("/test/buyer/orders/")

    assert (front.status_code, front.text) == (200, "<form>Email</form>")
    assert (orders.status_code, orders["Location"]) == (302, "/buyer/?next=/test/buyer/orders/")


def test_the_admitted_role_gets_the_page_with_who_is_signed_in_and_sign_out(client, signed_in):
    signed_in(MANAGER)

    response = client.get("/test/seller/")

    assert response.status_code == 200
    assert '<p data-actor="user:1">seller manager</p>' in response.text
    assert "<p data-portal>seller</p>" in response.text
    assert '<form method="post" action="/sign-out/" class="sign-out">' in response.text
    assert '<a href="/seller/">Seller</a>' in response.text
    assert response["Cache-Control"] == "max-age=0, no-cache, no-store, must-revalidate, private"
    assert "HX-Request" in response["Vary"]


@pytest.mark.parametrize(
    ("actor", "path", "detail"),
    [
        (COUNTER_CLERK, "/test/seller/", "These pages are for seller staff; you are signed in as drop-off counter."),
        (BUYER_ANA, "/test/seller/", "These pages are for seller staff; you are signed in as buyer."),
        (MANAGER, "/test/buyer/", "These pages are for buyers; you are signed in as seller manager."),
    ],
)
def test_another_role_is_403_forbidden_and_may_sign_out(client, signed_in, actor, path, detail):
    signed_in(actor)

    response = client.get(path)

    assert response.status_code == 403
    assert 'data-problem="forbidden"' in response.text
    assert '<h1 id="problem-title">Your role may not use this page</h1>' in response.text
    assert f"<p>{detail}</p>" in response.text
    assert "<title>Your role may not use this page · returndesk</title>" in response.text
    assert '<form method="post" action="/sign-out/" class="sign-out">' in response.text


def test_a_service_error_is_the_api_s_problem_for_the_same_request(client, signed_in, keys, make_return):
    ret = make_return()
    return_approve(code=ret.code, actor=keys.actors["seller_a"])
    signed_in(keys.actors["seller_a"])

    page = client.post(f"/test/returns/{ret.code}/approve")
    api = keys.client("seller_a").post(f"/api/v1/returns/{ret.code}/approve", {}, content_type="application/json")

    problem = json.loads(api.content)
    assert (page.status_code, api.status_code, problem["code"]) == (409, 409, "invalid_transition")
    assert _problem(page) == (
        '<section class="problem" role="alert" aria-labelledby="problem-title" data-problem="invalid_transition">\n'
        f'  <h1 id="problem-title">{escape(problem["title"])}</h1>\n'
        f"  <p>{escape(problem['detail'])}</p>\n  \n  \n"
        "  <p><small>Error code <code>invalid_transition</code> (409)</small></p>\n"
        "</section>"
    )


def test_another_seller_s_return_is_the_api_s_404(client, signed_in, keys, make_return):
    ret = make_return()
    signed_in(keys.actors["seller_b"])

    page = client.post(f"/test/returns/{ret.code}/approve")
    api = keys.client("seller_b").post(f"/api/v1/returns/{ret.code}/approve", {}, content_type="application/json")

    problem = json.loads(api.content)
    assert (page.status_code, api.status_code, problem["code"]) == (404, 404, "not_found")
    assert f'<h1 id="problem-title">{escape(problem["title"])}</h1>\n  <p>{escape(problem["detail"])}</p>' in page.text


def test_an_htmx_request_gets_the_problem_partial_alone(client, signed_in, keys, make_return):
    ret = make_return()
    signed_in(keys.actors["seller_b"])

    response = client.post(f"/test/returns/{ret.code}/approve", headers=HTMX)

    assert response.status_code == 404
    assert response.text.lstrip().startswith('<section class="problem"')
    assert '<h2 id="problem-title">' in response.text
    assert "<html" not in response.text
    assert "<h1" not in response.text


def test_an_htmx_request_for_a_page_gets_its_main_block_alone(client, signed_in):
    signed_in(MANAGER)

    response = client.get("/test/seller/", headers=HTMX)

    assert response.text.strip() == '<h1>A page</h1><p data-actor="user:1">seller manager</p><p data-portal>seller</p>'


def test_validation_errors_are_listed_with_their_fields(client, signed_in):
    signed_in(MANAGER)

    response = client.get("/test/invalid-form/")

    assert response.status_code == 422
    assert '<h1 id="problem-title">Some fields are invalid</h1>' in response.text
    assert "<li><code>body.lines</code>: Choose at least one line</li>" in response.text


def test_rate_limited_says_how_long_to_wait_and_sends_retry_after(client, signed_in):
    signed_in(BUYER_ANA)

    response = client.get("/test/rate-limited/")

    assert (response.status_code, response["Retry-After"]) == (429, "42")
    assert "<p>Too many sign-in links asked for this address.</p>" in response.text
    assert "<p>Try again in 42 seconds.</p>" in response.text


def test_an_unknown_page_is_a_404_problem_page_and_an_unknown_api_route_stays_problem_json(client):
    page = client.get("/no/such/page/")
    api = client.get("/api/v1/no/such/route")

    assert page.status_code == 404
    assert 'data-problem="not_found"' in page.text
    assert (api.status_code, api["Content-Type"]) == (404, "application/problem+json")


def test_the_problem_context_is_the_api_s_problem_body():
    error = CsrfFailed("Reload the page.")

    assert problem_body(error) == {
        "type": "urn:returndesk:problem:csrf_failed",
        "title": "This form could not be accepted",
        "status": 403,
        "detail": "Reload the page.",
        "code": "csrf_failed",
    }
