"""The sign-in and password pages show a failure as every page does (``render_problem``): the
API's status, code, title, detail, errors and Retry-After, in the problem partial."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth.tokens import default_token_generator
from django.template.loader import render_to_string
from django.test import Client
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode

from returndesk.accounts.errors import SignInFailed, TooManyAttempts
from returndesk.accounts.services import staff_create
from returndesk.core.problems import problem_body
from returndesk.portals.common.views import PROBLEM_PARTIAL
from returndesk.testing import NOW, frozen_clock

pytestmark = pytest.mark.django_db
_PROBLEM = re.compile(r'<section class="problem".*?</section>', re.S)


def _problem_section(html: str) -> str:
    found = _PROBLEM.search(html)
    assert found is not None, "no problem partial on the page"
    return found.group(0)


def _partial(error) -> str:
    """The problem partial as ``portal_view`` renders it for ``error``."""
    return _problem_section(render_to_string(PROBLEM_PARTIAL, {"problem": problem_body(error)}))


def _signed_in_staff(email: str = "a@x.example") -> tuple[Client, str]:
    _membership, password = staff_create(email=email, role="agent")
    client = Client()
    assert client.post("/sign-in/", {"email": email, "password": password}).status_code == 303
    return client, password


def test_a_failed_sign_in_shows_the_partial_portal_view_shows_for_that_error():
    staff_create(email="a@x.example", role="agent")

    page = Client().post("/sign-in/", {"email": "a@x.example", "password": "wrong"})

    assert page.status_code == 400
    assert _problem_section(page.content.decode()) == _partial(
        SignInFailed("The email or password is not right, or the account is not active.")
    )


def test_a_rate_limited_sign_in_says_how_long_to_wait_as_portal_view_does():
    with frozen_clock(NOW + timedelta(seconds=20)):
        for _ in range(5):
            Client().post("/sign-in/", {"email": "a@x.example", "password": "wrong"})
        page = Client().post("/sign-in/", {"email": "a@x.example", "password": "wrong"})

    assert (page.status_code, page["Retry-After"]) == (429, "40")
    section = _problem_section(page.content.decode())
    assert section == _partial(TooManyAttempts(re.search(r"<p>(.*?)</p>", section).group(1), retry_after=40))
    assert "<p>Try again in 40 seconds.</p>" in section


def test_an_invalid_sign_in_form_is_422_with_each_field_s_error():
    page = Client().post("/sign-in/", {"email": "not-an-address"})

    assert page.status_code == 422
    section = _problem_section(page.content.decode())
    assert 'data-problem="validation_error"' in section
    assert "<li><code>form.email</code>: Enter a valid email address.</li>" in section
    assert "<li><code>form.password</code>: This field is required.</li>" in section


@pytest.mark.parametrize("path", ["/sign-in/", "/buyer/sign-in/", "/sign-in/forgot/"])
def test_a_sign_in_form_without_its_csrf_token_is_403_csrf_failed(path):
    page = Client(enforce_csrf_checks=True).post(path, {"email": "a@x.example", "password": "whatever"})

    assert page.status_code == 403
    assert 'data-problem="csrf_failed"' in page.content.decode()
    assert '<h1 id="problem-title">This form could not be accepted</h1>' in page.content.decode()


def test_a_buyer_s_malformed_address_lists_the_field_s_error():
    page = Client().post("/buyer/sign-in/", {"email": "not-an-address"})

    assert page.status_code == 422
    section = _problem_section(page.content.decode())
    assert "<p>Enter an email address.</p>" in section
    assert "<li><code>form.email</code>: Enter a valid email address.</li>" in section


def test_a_wrong_current_password_is_422_and_changes_nothing():
    client, password = _signed_in_staff()

    page = client.post(
        "/account/password/",
        {"old_password": "not-it", "new_password1": "a-new-secret-1", "new_password2": "a-new-secret-1"},
    )

    assert page.status_code == 422
    section = _problem_section(page.content.decode())
    assert 'data-problem="validation_error"' in section
    assert "<li><code>form.old_password</code>: Your old password was entered incorrectly." in section
    assert Client().post("/sign-in/", {"email": "a@x.example", "password": password}).status_code == 303


def test_new_passwords_that_differ_are_422_on_the_second_field():
    client, password = _signed_in_staff()

    page = client.post(
        "/account/password/", {"old_password": password, "new_password1": "a-new-secret-1", "new_password2": "other-1"}
    )

    assert page.status_code == 422
    assert (
        "<li><code>form.new_password2</code>: The two password fields didn\u2019t match.</li>" in page.content.decode()
    )


def test_a_forgotten_password_form_with_a_malformed_address_is_422():
    page = Client().post("/sign-in/forgot/", {"email": "not-an-address"})

    assert page.status_code == 422
    assert "<li><code>form.email</code>: Enter a valid email address.</li>" in page.content.decode()


def test_a_reset_link_s_new_passwords_that_differ_are_422_and_the_link_still_works():
    membership, _password = staff_create(email="a@x.example", role="agent")
    uid, token = (
        urlsafe_base64_encode(force_bytes(membership.user_id)),
        default_token_generator.make_token(membership.user),
    )
    client = Client()
    form_url = client.get(f"/sign-in/reset/{uid}/{token}/", follow=True).redirect_chain[-1][0]

    page = client.post(form_url, {"new_password1": "n3w-secret-1", "new_password2": "other-1"})
    again = client.post(form_url, {"new_password1": "n3w-secret-1", "new_password2": "n3w-secret-1"})

    assert page.status_code == 422
    assert (
        "<li><code>form.new_password2</code>: The two password fields didn\u2019t match.</li>" in page.content.decode()
    )
    assert again.status_code == 302
