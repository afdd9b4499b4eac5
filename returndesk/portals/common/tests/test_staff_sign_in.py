"""Staff sign-in, sign-out, password change and reset on the pages, and the session's actor."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.core import mail
from django.test import Client, RequestFactory

from returndesk.accounts.auth import session_actor
from returndesk.accounts.services import staff_create, staff_password_reset, staff_update
from returndesk.core.actors import Actor, ActorKind, StaffRole
from returndesk.marketplace.models import Seller
from returndesk.portals.common.sign_in import local_path
from returndesk.testing import NOW, frozen_clock


@pytest.fixture
def seller(db) -> Seller:
    return Seller.objects.create(external_id="S-A", name="Seller A", country="DE", created_at=NOW)


def _staff(email: str, role: str, **placement: str) -> tuple[int, str]:
    membership, password = staff_create(email=email, role=role, **placement)
    return membership.user_id, password


def _sign_in(client: Client, email: str, password: str, **extra: str):
    return client.post("/sign-in/", {"email": email, "password": password, **extra})


def _actor_of(client: Client) -> Actor | None:
    request = RequestFactory().get("/")
    request.session = client.session
    from django.contrib.auth.middleware import AuthenticationMiddleware

    AuthenticationMiddleware(lambda r: None).process_request(request)
    return session_actor(request)


def test_the_sign_in_page_has_labelled_email_and_password(db):
    page = Client().get("/sign-in/").content.decode()

    assert '<label for="sign-in-email">Email</label>' in page
    assert '<label for="sign-in-password">Password</label>' in page
    assert '<button type="submit">Sign in</button>' in page
    assert "csrfmiddlewaretoken" in page
    assert "<script>" not in page
    assert "style=" not in page


@pytest.mark.parametrize(
    ("role", "placement", "expected", "home"),
    [
        (
            "seller_manager",
            {"seller": "S-A"},
            {"kind": ActorKind.SELLER_USER, "seller": True, "staff_role": StaffRole.SELLER_MANAGER},
            "/seller/",
        ),
        (
            "seller_warehouse",
            {"seller": "S-A"},
            {"kind": ActorKind.SELLER_USER, "seller": True, "staff_role": StaffRole.SELLER_WAREHOUSE},
            "/seller/",
        ),
        ("agent", {}, {"kind": ActorKind.AGENT, "supervisor": False, "staff_role": StaffRole.AGENT}, "/agent/"),
        (
            "supervisor",
            {},
            {"kind": ActorKind.AGENT, "supervisor": True, "staff_role": StaffRole.SUPERVISOR},
            "/agent/",
        ),
        (
            "counter",
            {"carrier": "demo-post", "point_id": "DEMO-1"},
            {"kind": ActorKind.CARRIER, "carrier": "demo-post", "point_id": "DEMO-1", "staff_role": StaffRole.COUNTER},
            "/counter/",
        ),
    ],
)
def test_each_role_signs_in_as_its_actor(seller, role, placement, expected, home):
    user_id, password = _staff("Someone@X.example", role, **placement)
    client = Client()

    answer = _sign_in(client, "someone@x.EXAMPLE", password)

    assert (answer.status_code, answer["Location"]) == (303, home)
    actor = _actor_of(client)
    assert actor == Actor(
        kind=expected["kind"],
        id=f"user:{user_id}",
        seller_id=seller.pk if expected.get("seller") else None,
        supervisor=expected.get("supervisor", False),
        carrier=expected.get("carrier", ""),
        point_id=expected.get("point_id", ""),
        staff_role=expected["staff_role"],
    )


def test_sign_in_goes_on_to_a_local_next(db):
    _, password = _staff("a@x.example", "agent")

    answer = _sign_in(Client(), "a@x.example", password, next="/agent/returns/ABC?x=1")

    assert answer["Location"] == "/agent/returns/ABC?x=1"


@pytest.mark.parametrize(
    "next_path", ["https://evil.example/", "//evil.example/", "/\\evil.example", "evil", "/a\r\nb", "javascript:x"]
)
def test_next_never_leaves_the_site(db, next_path):
    _, password = _staff("a@x.example", "agent")

    answer = _sign_in(Client(), "a@x.example", password, next=next_path)

    assert (local_path(next_path), answer["Location"]) == (None, "/agent/")


def test_sign_in_cycles_the_session_key(db):
    _, password = _staff("a@x.example", "agent")
    client = Client()
    client.get("/sign-in/")
    client.session.save()
    before = client.session.session_key

    _sign_in(client, "a@x.example", password)

    assert client.session.session_key != before


def _failure_page(client: Client, email: str, password: str) -> tuple[int, str]:
    answer = _sign_in(client, email, password)
    page = answer.content.decode()
    found = re.search(r'<section class="problem".*?</section>', page, re.S)
    assert found is not None
    return answer.status_code, found.group(0)


def test_wrong_password_unknown_email_and_inactive_get_one_answer(db):
    _user_id, _password = _staff("a@x.example", "agent")
    inactive_id, inactive_password = _staff("b@x.example", "agent")
    staff_update(staff_id=inactive_id, active=False)

    answers = {
        _failure_page(Client(), "a@x.example", "wrong"),
        _failure_page(Client(), "nobody@x.example", "wrong"),
        _failure_page(Client(), "b@x.example", inactive_password),
    }

    assert len(answers) == 1
    status, problem = answers.pop()
    assert status == 400
    assert 'data-problem="sign_in_failed"' in problem


def test_a_django_admin_without_membership_cannot_sign_in_here(db):
    get_user_model().objects.create_superuser("boss@x.example", "boss@x.example", "pw-admin-1")

    assert _sign_in(Client(), "boss@x.example", "pw-admin-1").status_code == 400


def test_every_attempt_counts_before_the_password_is_checked(db):
    # Counted only after failing, concurrent guesses would all be checked below the limit.
    _, password = _staff("b@x.example", "agent")
    with frozen_clock(NOW + timedelta(seconds=20)):
        statuses = [_sign_in(Client(), "b@x.example", password).status_code for _ in range(6)]

    assert statuses == [303] * 5 + [429]


def test_five_failures_a_minute_per_address_then_429(db):
    _, password = _staff("a@x.example", "agent")
    with frozen_clock(NOW + timedelta(seconds=20)):
        statuses = [_sign_in(Client(), "A@x.example", "wrong").status_code for _ in range(5)]
        refused = _sign_in(Client(), "a@x.example", password)
        unknown = [_sign_in(Client(), "nobody@x.example", "wrong").status_code for _ in range(6)]
    with frozen_clock(NOW + timedelta(minutes=1)):
        later = _sign_in(Client(), "a@x.example", password)

    assert statuses == [400] * 5
    assert (refused.status_code, refused["Retry-After"]) == (429, "40")
    assert 'data-problem="rate_limited"' in refused.content.decode()
    assert unknown == [400] * 5 + [429]
    assert later.status_code == 303


def test_twenty_failures_a_minute_per_client(db, settings):
    with frozen_clock(NOW):
        statuses = [_sign_in(Client(), f"n{index}@x.example", "wrong").status_code for index in range(21)]

    assert statuses == [400] * 20 + [429]


def test_the_client_is_found_behind_a_trusted_proxy(db, settings):
    from returndesk.core.clients import networks_parse

    settings.TRUSTED_PROXIES = networks_parse(["127.0.0.1"])
    settings.RETURNDESK = {**settings.RETURNDESK, "SIGN_IN_FAILURES_PER_MINUTE_PER_CLIENT": 1}
    with frozen_clock(NOW):
        first = Client(HTTP_X_FORWARDED_FOR="198.51.100.1").post("/sign-in/", {"email": "a@x.example", "password": "x"})
        other = Client(HTTP_X_FORWARDED_FOR="198.51.100.2").post("/sign-in/", {"email": "b@x.example", "password": "x"})
        again = Client(HTTP_X_FORWARDED_FOR="198.51.100.1").post("/sign-in/", {"email": "c@x.example", "password": "x"})

    assert [first.status_code, other.status_code, again.status_code] == [400, 400, 429]


def test_sign_in_without_a_csrf_token_is_refused(db):
    _, password = _staff("a@x.example", "agent")

    answer = Client(enforce_csrf_checks=True).post("/sign-in/", {"email": "a@x.example", "password": password})

    assert answer.status_code == 403


def test_sign_out_ends_the_session(db):
    _, password = _staff("a@x.example", "agent")
    client = Client()
    _sign_in(client, "a@x.example", password)

    assert client.get("/sign-out/").status_code == 405
    answer = client.post("/sign-out/")

    assert (answer.status_code, answer["Location"]) == (303, "/")
    assert _actor_of(client) is None


def test_a_deactivated_member_is_signed_out_at_the_next_request(db):
    user_id, password = _staff("a@x.example", "agent")
    client = Client()
    _sign_in(client, "a@x.example", password)

    staff_update(staff_id=user_id, active=False)

    assert _actor_of(client) is None


def test_a_password_reset_by_the_platform_ends_every_session(db):
    user_id, password = _staff("a@x.example", "agent")
    client = Client()
    _sign_in(client, "a@x.example", password)

    staff_password_reset(staff_id=user_id)

    assert _actor_of(client) is None


def test_changing_ones_password_keeps_this_session_and_ends_the_others(db):
    _, password = _staff("a@x.example", "agent")
    this, other = Client(), Client()
    _sign_in(this, "a@x.example", password)
    _sign_in(other, "a@x.example", password)

    page = this.get("/account/password/")
    answer = this.post(
        "/account/password/",
        {"old_password": password, "new_password1": "a-new-secret-1", "new_password2": "a-new-secret-1"},
    )

    assert page.status_code == 200
    assert (answer.status_code, answer["Location"]) == (302, "/account/password/changed/")
    assert _actor_of(this) is not None
    assert _actor_of(other) is None


def test_the_password_page_asks_to_sign_in_first(db):
    answer = Client().get("/account/password/")

    assert (answer.status_code, answer["Location"]) == (302, "/sign-in/?next=/account/password/")


def _reset(client: Client, email: str):
    return client.post("/sign-in/forgot/", {"email": email})


def test_forgot_password_answers_alike_and_mails_only_a_known_address(db, settings):
    settings.PUBLIC_URL = "https://returns.example"
    _staff("a@x.example", "agent")

    known, unknown = _reset(Client(), "A@x.example"), _reset(Client(), "nobody@x.example")

    assert (known.status_code, known["Location"]) == (unknown.status_code, unknown["Location"])
    assert [message.to for message in mail.outbox] == [["a@x.example"]]
    link = re.search(r"https://returns\.example(/sign-in/reset/\S+/)", mail.outbox[0].body)
    assert link is not None
    client = Client()
    form = client.get(link.group(1), follow=True)
    done = client.post(form.redirect_chain[-1][0], {"new_password1": "n3w-secret-1", "new_password2": "n3w-secret-1"})
    assert done.status_code == 302
    assert _sign_in(Client(), "a@x.example", "n3w-secret-1").status_code == 303


def test_forgot_password_is_limited_like_sign_in_links(db):
    with frozen_clock(NOW):
        statuses = [_reset(Client(), "nobody@x.example").status_code for _ in range(4)]

    assert statuses == [302, 302, 302, 429]


def test_an_admin_sign_in_ends_a_buyer_session_held_in_the_same_browser(db):
    from django.contrib.auth import get_user_model

    from returndesk.accounts.auth import BUYER_SESSION_KEY
    from returndesk.scenarios.journeys import order_placed

    order = order_placed()
    get_user_model().objects.create_superuser("root@x.example", "root@x.example", "pw-root-1")
    client = Client()
    session = client.session
    session[BUYER_SESSION_KEY] = order.buyer_id
    session.save()

    client.post("/admin/login/", {"username": "root@x.example", "password": "pw-root-1", "next": "/admin/"})

    assert BUYER_SESSION_KEY not in client.session
    assert client.get("/buyer/orders/" + order.external_id + "/return").status_code != 200
