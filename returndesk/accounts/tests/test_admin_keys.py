"""The keys' admin: seeing keys is not revoking them, and the digest is never a filter."""

from __future__ import annotations

import pytest
from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied
from django.test import Client

from returndesk.accounts.models import ApiKey
from returndesk.accounts.services import apikey_create

CHANGELIST = "/admin/accounts/apikey/"


def _staff(*codenames: str) -> Client:
    user = get_user_model().objects.create_user("staff", "staff@example.com", "pw-for-tests-only", is_staff=True)
    user.user_permissions.set(Permission.objects.filter(content_type__app_label="accounts", codename__in=codenames))
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def api_key(db) -> ApiKey:
    key, _ = apikey_create(role="carrier", name="counter 7")
    return key


def _revoke(client: Client, api_key: ApiKey):
    return client.post(CHANGELIST, {"action": "revoke", "_selected_action": [api_key.pk], "index": 0})


def test_view_only_staff_is_not_offered_revoking_and_a_posted_revoke_changes_nothing(api_key):
    client = _staff("view_apikey")

    listing = client.get(CHANGELIST)
    posted = _revoke(client, api_key)

    assert listing.status_code == 200
    assert api_key.prefix in listing.text
    assert 'value="revoke"' not in listing.text
    assert posted.status_code == 200
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is None


def test_staff_with_the_revoke_permission_revokes(api_key):
    client = _staff("view_apikey", "revoke_apikey")

    listing = client.get(CHANGELIST)
    posted = _revoke(client, api_key)

    assert 'value="revoke"' in listing.text
    assert posted.status_code == 302
    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is not None


def test_the_revoke_action_checks_the_permission_itself(api_key, rf):
    request = rf.post(CHANGELIST)
    request.user = get_user_model().objects.create_user("viewer", is_staff=True)
    model_admin = admin.site.get_model_admin(ApiKey)

    with pytest.raises(PermissionDenied):
        model_admin.revoke(request, ApiKey.objects.all())

    assert ApiKey.objects.get(pk=api_key.pk).revoked_at is None


@pytest.mark.parametrize("lookup", ["digest__startswith", "digest", "digest__regex"])
def test_the_digest_is_not_a_filter(api_key, lookup):
    client = _staff("view_apikey")

    listing = client.get(CHANGELIST, {lookup: api_key.digest[:1]})

    assert listing.status_code == 400
    assert api_key.prefix not in listing.text


def test_the_digest_is_not_shown_on_a_key_page(api_key):
    client = _staff("view_apikey")

    page = client.get(f"{CHANGELIST}{api_key.pk}/change/")

    assert page.status_code == 200
    assert api_key.prefix in page.text
    assert api_key.digest not in page.text
