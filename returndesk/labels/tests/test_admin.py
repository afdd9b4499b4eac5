"""The admin lists the QR keys read-only and never shows, nor filters by, a private key."""

from __future__ import annotations

import base64

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from returndesk.labels import services
from returndesk.labels.domain import qr
from returndesk.testing import NOW


@pytest.fixture
def staff_client(db: None) -> Client:
    user = get_user_model().objects.create_superuser("admin", "admin@example.com", "pw-for-tests-only")
    client = Client()
    client.force_login(user)
    return client


def test_the_keys_pages_show_the_public_half_only(staff_client: Client) -> None:
    key = services.qr_key_current(now=NOW)
    private = bytes(key.private_key)

    listing = staff_client.get("/admin/labels/qrkey/")
    page = staff_client.get(f"/admin/labels/qrkey/{key.pk}/change/")
    probe = staff_client.get("/admin/labels/qrkey/", {"private_key__isnull": "False"})

    assert (listing.status_code, page.status_code) == (200, 200)
    assert qr.b64url_encode(bytes(key.public_key)) in listing.text
    assert qr.b64url_encode(bytes(key.public_key)) in page.text
    for spelling in (private.hex(), qr.b64url_encode(private), base64.b64encode(private).decode(), "private"):
        assert spelling not in listing.text + page.text
    assert probe.status_code == 400  # DisallowedModelAdminLookup
    assert "Save" not in page.text
