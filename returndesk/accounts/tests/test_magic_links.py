"""Buyers' sign-in links: asked for by email, made by the platform, used once."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from django.core import mail

from returndesk.accounts.errors import SignInLinkInvalid
from returndesk.accounts.keys import digest_secret
from returndesk.accounts.models import MagicLink
from returndesk.accounts.services import buyer_sign_in_request, magic_link_consume, magic_links_purge
from returndesk.core.errors import RateLimited
from returndesk.core.idempotency import HEADER
from returndesk.marketplace.models import Buyer
from returndesk.scenarios.payloads import buyer_payload
from returndesk.testing import NOW, frozen_clock

ORIGIN = "https://returns.example"
LINK = re.compile(r"https://returns\.example/buyer/link/([A-Za-z0-9_-]{43})")


def _token_in(message: mail.EmailMessage) -> str:
    found = LINK.search(message.body)
    assert found is not None
    return found.group(1)


@pytest.fixture
def buyers(make_order):
    make_order(external_id="O-1", buyer=buyer_payload("B-1", email="Ana@Example.com"))
    make_order(external_id="O-2", buyer=buyer_payload("B-2", email="ana@example.com"))
    return list(Buyer.objects.order_by("external_id"))


def test_each_buyer_with_the_address_gets_a_link_of_their_own(buyers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), frozen_clock(NOW):
        buyer_sign_in_request(email="ANA@example.COM", client="203.0.113.1", origin=ORIGIN)

    assert sorted(message.to[0] for message in mail.outbox) == ["Ana@example.com", "ana@example.com"]
    tokens = [_token_in(message) for message in mail.outbox]
    links = MagicLink.objects.order_by("buyer__external_id")
    assert sorted(link.digest for link in links) == sorted(digest_secret(token) for token in tokens)
    assert [link.expires_at for link in links] == [NOW + timedelta(minutes=15)] * 2
    assert all(token not in link.digest for token in tokens for link in links)


def test_an_unknown_address_gets_nothing_and_the_same_answer(buyers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        answer = buyer_sign_in_request(email="nobody@example.com", client="203.0.113.1", origin=ORIGIN)

    assert (answer, mail.outbox, MagicLink.objects.count()) == (None, [], 0)


def test_no_mail_leaves_before_the_links_are_committed(buyers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        buyer_sign_in_request(email="ana@example.com", client="203.0.113.1", origin=ORIGIN)

    assert (len(callbacks), mail.outbox) == (2, [])


def test_a_link_signs_in_once(buyers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        buyer_sign_in_request(email="ana@example.com", client="203.0.113.1", origin=ORIGIN)
    token = _token_in(mail.outbox[0])

    link = magic_link_consume(token=token)

    assert link.used_at is not None
    with pytest.raises(SignInLinkInvalid):
        magic_link_consume(token=token)


def test_an_expired_or_unknown_link_is_invalid(buyers, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True), frozen_clock(NOW):
        buyer_sign_in_request(email="ana@example.com", client="203.0.113.1", origin=ORIGIN)
    token = _token_in(mail.outbox[0])

    with frozen_clock(NOW + timedelta(minutes=15)), pytest.raises(SignInLinkInvalid) as expired:
        magic_link_consume(token=token)
    with pytest.raises(SignInLinkInvalid):
        magic_link_consume(token="x" * 43)

    assert (expired.value.status, expired.value.code) == (410, "sign_in_link_invalid")
    assert not MagicLink.objects.filter(used_at__isnull=False).exists()


def test_a_fourth_request_in_an_hour_is_refused_alike_for_known_and_unknown(buyers):
    for email in ["ana@example.com", "nobody@example.com"]:
        with frozen_clock(NOW):
            for _ in range(3):
                buyer_sign_in_request(email=email, client=f"client-{email}", origin=ORIGIN)
            with pytest.raises(RateLimited) as refused:
                buyer_sign_in_request(email=email.upper(), client=f"client-{email}", origin=ORIGIN)
        assert (refused.value.status, refused.value.code, refused.value.retry_after) == (429, "rate_limited", 3600)
    with frozen_clock(NOW + timedelta(hours=1)):
        buyer_sign_in_request(email="ana@example.com", client="another", origin=ORIGIN)


def test_twenty_requests_an_hour_from_one_client(buyers, settings):
    with frozen_clock(NOW + timedelta(minutes=30)):
        for index in range(20):
            buyer_sign_in_request(email=f"n{index}@example.com", client="203.0.113.9", origin=ORIGIN)
        with pytest.raises(RateLimited) as refused:
            buyer_sign_in_request(email="ana@example.com", client="203.0.113.9", origin=ORIGIN)

    assert refused.value.retry_after == 1800


def test_the_limits_follow_the_settings(buyers, settings):
    settings.RETURNDESK = {**settings.RETURNDESK, "SIGN_IN_LINKS_PER_HOUR_PER_EMAIL": 1}
    buyer_sign_in_request(email="ana@example.com", client="c1", origin=ORIGIN)

    with pytest.raises(RateLimited):
        buyer_sign_in_request(email="ana@example.com", client="c2", origin=ORIGIN)


def test_purge_drops_links_a_day_past_their_end(buyers):
    with frozen_clock(NOW):
        buyer_sign_in_request(email="ana@example.com", client="c", origin=ORIGIN)

    assert magic_links_purge(now=NOW + timedelta(days=1)) == 0
    assert magic_links_purge(now=NOW + timedelta(days=1, minutes=16)) == 2


# Portal links (POST /api/v1/buyers/{external_id}/portal-links) ------------------------------------


def _portal_link(keys, buyer: str, body: dict | None = None, caller: str = "platform", **headers: str):
    return keys.client(caller).post(
        f"/api/v1/buyers/{buyer}/portal-links", body or {}, content_type="application/json", headers=headers
    )


def test_a_portal_link_lands_on_the_buyers_return(keys, make_return, settings):
    settings.PUBLIC_URL = ORIGIN
    ret = make_return()

    with frozen_clock(NOW):
        answer = _portal_link(keys, ret.buyer.external_id, {"return": ret.code.lower(), "expires_in": 60})

    body = answer.json()
    assert answer.status_code == 201
    assert body["expires_at"] == (NOW + timedelta(seconds=60)).isoformat().replace("+00:00", "Z")
    token = LINK.fullmatch(body["url"]).group(1)
    link = MagicLink.objects.get(digest=digest_secret(token))
    assert (link.buyer_id, link.return_code) == (ret.buyer_id, ret.code)


def test_a_portal_link_defaults_to_a_day_and_the_requests_origin(keys, make_return):
    ret = make_return()

    with frozen_clock(NOW):
        answer = _portal_link(keys, ret.buyer.external_id)

    assert answer.json()["url"].startswith("http://testserver/buyer/link/")
    assert MagicLink.objects.get().expires_at == NOW + timedelta(days=1)
    assert MagicLink.objects.get().return_code == ""


@pytest.mark.parametrize(
    ("buyer", "body", "status", "code"),
    [
        ("B-NOPE", {}, 404, "not_found"),
        ("{buyer}", {"return": "K7Q2XM4D9T3O6"}, 404, "not_found"),
        ("{buyer}", {"return": "{other}"}, 404, "not_found"),
        ("{buyer}", {"expires_in": 59}, 422, "validation_error"),
        ("{buyer}", {"expires_in": 604801}, 422, "validation_error"),
        ("{buyer}", {"expires_in": "60"}, 422, "validation_error"),
        ("{buyer}", {"return_": "x"}, 422, "validation_error"),
    ],
)
def test_portal_link_refusals(keys, make_order, make_return, *, buyer, body, status, code):
    ret = make_return()
    other = make_return(order=make_order(external_id="O-OTHER", buyer=buyer_payload("B-OTHER")))
    filled = {name: value.format(other=other.code) if isinstance(value, str) else value for name, value in body.items()}

    answer = _portal_link(keys, buyer.format(buyer=ret.buyer.external_id), filled)

    assert (answer.status_code, answer.json()["code"]) == (status, code)
    assert not MagicLink.objects.exists()


@pytest.mark.parametrize("caller", ["agent", "carrier", "seller_a"])
def test_only_the_platform_makes_portal_links(keys, make_return, caller):
    ret = make_return()

    answer = _portal_link(keys, ret.buyer.external_id, caller=caller)

    assert (answer.status_code, answer.json()["code"]) == (403, "forbidden")
    assert not MagicLink.objects.exists()


def test_a_portal_link_is_never_replayed(keys, make_return):
    ret = make_return()

    first = _portal_link(keys, ret.buyer.external_id, **{HEADER: "k"})
    again = _portal_link(keys, ret.buyer.external_id, **{HEADER: "k"})

    assert first.status_code == 201
    assert (again.status_code, again.json()["code"]) == (409, "idempotent_answer_withheld")
    assert MagicLink.objects.count() == 1


def test_the_portal_link_route_declares_its_statuses(keys):
    paths = keys.client(None).get("/api/v1/openapi.json").json()["paths"]

    responses = paths["/api/v1/buyers/{external_id}/portal-links"]["post"]["responses"]
    assert sorted(responses) == ["201", "400", "401", "403", "404", "409", "413", "414", "415", "422"]
