"""``returndesk revokekey`` takes a whole key or its prefix, and never prints more than the prefix."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from returndesk.accounts.models import ApiKey
from returndesk.accounts.selectors import apikey_authenticate, apikey_cache_clear
from returndesk.accounts.services import apikey_create


@pytest.fixture(autouse=True)
def _empty_key_cache():
    apikey_cache_clear()
    yield
    apikey_cache_clear()


def _run(*args: str) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_revokekey_takes_the_whole_key_and_shows_only_its_prefix(db):
    api_key, token = apikey_create(role="carrier")
    secret = token.removeprefix(f"{api_key.prefix}_")

    out, err = _run("revokekey", token)

    revoked = ApiKey.objects.get(pk=api_key.pk)
    assert (out, secret in err) == ("", False)
    assert err == f"Revoked {api_key.prefix} (carrier) at {revoked.revoked_at:%Y-%m-%d %H:%M:%S} UTC.\n"
    assert apikey_authenticate(token=token) is None


def test_revokekey_refuses_an_unknown_whole_key_naming_only_its_prefix(db):
    api_key, _ = apikey_create(role="carrier")
    unknown = "rdk_zzzzzzzz_" + "S" * 43

    with pytest.raises(CommandError) as refused:
        _run("revokekey", unknown)

    assert str(refused.value) == "No API key has the prefix 'rdk_zzzzzzzz'."
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is None


def test_revokekey_refuses_what_is_neither_a_key_nor_a_prefix_without_echoing_it(db):
    api_key, token = apikey_create(role="carrier")
    mangled = token.replace("_", "-")

    with pytest.raises(CommandError) as refused:
        _run("revokekey", mangled)

    assert str(refused.value) == "This is neither an API key nor a key's prefix (rdk_ and 8 characters, 12 in all)."
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is None
