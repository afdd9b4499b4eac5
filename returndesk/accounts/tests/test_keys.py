"""API keys: issuing, storing only a digest, authenticating, revoking, and the two commands."""

from __future__ import annotations

import base64
import hashlib
import io
import re
from types import SimpleNamespace

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from returndesk.accounts import selectors
from returndesk.accounts.errors import ApiKeyNotFound, SellerRequired
from returndesk.accounts.models import ApiKey
from returndesk.accounts.selectors import apikey_authenticate, apikey_cache_clear
from returndesk.accounts.services import apikey_create, apikey_revoke
from returndesk.core.actors import Actor, ActorKind
from returndesk.marketplace.models import Seller
from returndesk.testing import NOW

PROBLEM = "application/problem+json"
UNAUTHENTICATED = {
    "type": "urn:returndesk:problem:unauthenticated",
    "title": "A valid API key is required",
    "status": 401,
    "detail": "Send a live API key as 'Authorization: Bearer <key>'.",
    "code": "unauthenticated",
}


@pytest.fixture(autouse=True)
def _empty_key_cache():
    """The cache is per process: start and end every test without what another one put there."""
    apikey_cache_clear()
    yield
    apikey_cache_clear()


@pytest.fixture
def seller(db) -> Seller:
    return Seller.objects.create(external_id="S-K", name="Seller K", country="DE", created_at=NOW)


class FakeMonotonic:
    """Stands in for the ``time`` module the key cache reads; moved forward by the test."""

    def __init__(self) -> None:
        self.now = 1000.0

    def monotonic(self) -> float:
        return self.now


@pytest.fixture
def clock(monkeypatch) -> FakeMonotonic:
    fake = FakeMonotonic()
    monkeypatch.setattr(selectors, "time", SimpleNamespace(monotonic=fake.monotonic))
    return fake


# --- Issuing -----------------------------------------------------------------------------------


def test_a_key_is_its_prefix_and_a_256_bit_secret(db):
    api_key, token = apikey_create(role="platform", name="ops")

    prefix, secret = token[: len(api_key.prefix)], token[len(api_key.prefix) + 1 :]
    assert token == f"{api_key.prefix}_{secret}"
    assert re.fullmatch(r"rdk_[a-km-z2-9]{8}", prefix)
    assert prefix == api_key.prefix
    assert re.fullmatch(r"[A-Za-z0-9_-]{43}", secret)
    assert len(base64.urlsafe_b64decode(secret + "=")) * 8 == 256


def test_only_a_sha256_digest_of_the_secret_is_stored(db):
    api_key, token = apikey_create(role="platform", name="ops")
    secret = token[len(api_key.prefix) + 1 :]

    row = ApiKey.objects.filter(pk=api_key.pk).values().get()

    assert row["digest"] == hashlib.sha256(secret.encode()).hexdigest()
    assert [name for name, value in row.items() if secret in str(value) or token in str(value)] == []


def test_keys_are_distinct(db):
    tokens = {apikey_create(role="carrier")[1] for _ in range(20)}

    assert (len(tokens), ApiKey.objects.values("prefix").distinct().count()) == (20, 20)


def test_a_seller_key_names_its_seller_and_only_a_seller_key_may(seller):
    with pytest.raises(SellerRequired):
        apikey_create(role="seller")
    with pytest.raises(SellerRequired):
        apikey_create(role="platform", seller=seller)

    assert ApiKey.objects.count() == 0


# --- Authenticating ----------------------------------------------------------------------------


def test_a_live_key_authenticates_as_its_actor(seller, django_assert_num_queries):
    api_key, token = apikey_create(role="seller", seller=seller)

    with django_assert_num_queries(1):
        actor = apikey_authenticate(token=token)

    assert actor == Actor(
        kind=ActorKind.SELLER_KEY, id=api_key.prefix, seller_id=seller.pk, supervisor=False, api_key_id=api_key.pk
    )


def test_a_supervisor_agent_key_carries_the_flag(db):
    api_key, token = apikey_create(role="agent", supervisor=True)

    assert apikey_authenticate(token=token) == Actor(
        kind=ActorKind.AGENT, id=api_key.prefix, supervisor=True, api_key_id=api_key.pk
    )


def test_a_wrong_secret_for_a_known_prefix_is_refused(db):
    api_key, _ = apikey_create(role="platform")

    assert apikey_authenticate(token=f"{api_key.prefix}_{'A' * 43}") is None


@pytest.mark.parametrize(
    "token",
    [
        "",
        "rdk_",
        "rdk_abcdefgh",
        "rdk_abcdefgh_",
        "rdk_abcdefgh-" + "A" * 43,
        "not a key at all",
        "rdk_zzzzzzzz_" + "A" * 43,
    ],
    ids=["empty", "namespace", "prefix_only", "empty_secret", "wrong_separator", "prose", "unknown_prefix"],
)
def test_malformed_and_unknown_keys_are_refused(db, token):
    apikey_create(role="platform")

    assert apikey_authenticate(token=token) is None


def test_a_revoked_key_is_refused(db):
    api_key, token = apikey_create(role="platform")

    apikey_revoke(prefix=api_key.prefix)

    assert apikey_authenticate(token=token) is None
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is not None


def test_revoking_twice_keeps_the_first_revocation_time(db):
    api_key, _ = apikey_create(role="platform")
    first = apikey_revoke(prefix=api_key.prefix).revoked_at

    assert apikey_revoke(prefix=api_key.prefix).revoked_at == first


def test_revoking_an_unknown_prefix_is_not_found(db):
    with pytest.raises(ApiKeyNotFound) as refused:
        apikey_revoke(prefix="rdk_nothere")

    assert (refused.value.status, refused.value.detail) == (404, "No API key has the prefix 'rdk_nothere'.")


def test_the_cache_serves_a_seen_key_without_a_query(db, clock, django_assert_num_queries):
    _, token = apikey_create(role="platform")
    actor = apikey_authenticate(token=token)
    clock.now += 9

    with django_assert_num_queries(0):
        assert apikey_authenticate(token=token) == actor


def test_the_cache_honours_a_revocation_within_ten_seconds(db, clock, settings):
    api_key, token = apikey_create(role="platform")
    actor = apikey_authenticate(token=token)
    apikey_revoke(prefix=api_key.prefix)

    clock.now += 9
    at_nine = apikey_authenticate(token=token)
    clock.now += 2
    at_eleven = apikey_authenticate(token=token)

    assert settings.RETURNDESK["API_KEY_CACHE_SECONDS"] == 10
    assert (at_nine, at_eleven) == (actor, None)


def test_the_cache_does_not_serve_a_wrong_secret_for_a_cached_prefix(db, clock):
    api_key, token = apikey_create(role="platform")
    apikey_authenticate(token=token)

    assert apikey_authenticate(token=f"{api_key.prefix}_{'B' * 43}") is None


# --- Through the API ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer rdk_zzzzzzzz_" + "A" * 43,
        "Bearer garbage",
        "Bearer ",
    ],
    ids=["missing", "unknown", "malformed", "empty"],
)
def test_api_without_a_live_key_answers_401(keys, client, authorization):
    headers = {"Authorization": authorization} if authorization else {}

    response = client.get("/api/v1/returns", headers=headers)

    assert (response.status_code, response["Content-Type"]) == (401, PROBLEM)
    assert response["WWW-Authenticate"] == 'Bearer realm="returndesk"'
    assert response.json() == UNAUTHENTICATED


@pytest.mark.parametrize("scheme", ["Basic", "Token", "ApiKey"])
def test_api_a_live_key_under_another_scheme_answers_401(keys, client, scheme):
    response = client.get("/api/v1/returns", headers={"Authorization": f"{scheme} {keys.tokens['platform']}"})

    assert (response.status_code, response["WWW-Authenticate"]) == (401, 'Bearer realm="returndesk"')
    assert response.json() == UNAUTHENTICATED


def test_api_a_revoked_key_answers_401(keys):
    apikey_revoke(prefix=keys.actors["agent"].id)
    apikey_cache_clear()

    response = keys.client("agent").get("/api/v1/returns")

    assert (response.status_code, response.json()) == (401, UNAUTHENTICATED)


def test_api_a_live_key_is_let_in(keys):
    response = keys.client("agent").get("/api/v1/returns")

    assert (response.status_code, response.json()) == (200, {"items": [], "next_cursor": None})


# --- The commands ------------------------------------------------------------------------------


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_createkey_prints_the_key_alone_on_stdout(db):
    out, err = _run("createkey", "--role", "platform", "--name", "ops")

    api_key = ApiKey.objects.get()
    assert re.fullmatch(rf"{api_key.prefix}_[A-Za-z0-9_-]{{43}}\n", out)
    assert err == f"Created {api_key.prefix} (platform, ops).\n"
    assert apikey_authenticate(token=out.removesuffix("\n")) == Actor(
        kind=ActorKind.PLATFORM, id=api_key.prefix, api_key_id=api_key.pk
    )


def test_createkey_makes_a_seller_key_for_the_named_seller(seller):
    out, _ = _run("createkey", "--role", "seller", "--seller", "S-K")

    actor = apikey_authenticate(token=out.removesuffix("\n"))
    assert (actor.kind, actor.seller_id) == (ActorKind.SELLER_KEY, seller.pk)


def test_createkey_makes_a_supervisor_agent_key(db):
    out, _ = _run("createkey", "--role", "agent", "--supervisor")

    actor = apikey_authenticate(token=out.removesuffix("\n"))
    assert (actor.kind, actor.supervisor) == (ActorKind.AGENT, True)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--role", "seller"], "A seller key must name the seller it acts for."),
        (["--role", "seller", "--seller", "S-NOPE"], "No seller with external id 'S-NOPE'."),
        (["--role", "platform", "--seller", "S-K"], "Only a seller key names a seller; a platform key acts for none."),
        (["--role", "carrier", "--supervisor"], "Only an agent key can be a supervisor key; a carrier key cannot."),
    ],
    ids=["seller_without_seller", "unknown_seller", "platform_with_seller", "supervisor_carrier"],
)
def test_createkey_refuses_inconsistent_seller_arguments(seller, args, message):
    out = io.StringIO()

    with pytest.raises(CommandError) as refused:
        call_command("createkey", *args, stdout=out, stderr=io.StringIO())

    assert (str(refused.value), out.getvalue()) == (message, "")
    assert ApiKey.objects.count() == 0


def test_revokekey_revokes_by_prefix(db):
    api_key, token = apikey_create(role="carrier")

    out, err = _run("revokekey", api_key.prefix)

    revoked = ApiKey.objects.get(pk=api_key.pk)
    assert out == ""
    assert err == f"Revoked {api_key.prefix} (carrier) at {revoked.revoked_at:%Y-%m-%d %H:%M:%S} UTC.\n"
    assert apikey_authenticate(token=token) is None


def test_revokekey_refuses_an_unknown_prefix(db):
    api_key, _ = apikey_create(role="carrier")

    with pytest.raises(CommandError) as refused:
        _run("revokekey", "rdk_nothere")

    assert str(refused.value) == "No API key has the prefix 'rdk_nothere'."
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is None
