"""The admin shows everything and changes nothing: status is only ever moved by services."""

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from returndesk.returns.models import Return


@pytest.fixture
def staff_client(db):
    user = get_user_model().objects.create_superuser("admin", "admin@example.com", "pw-for-tests-only")
    client = Client()
    client.force_login(user)
    return client


def test_return_pages_render_read_only(staff_client, make_return):
    ret = make_return()

    listing = staff_client.get("/admin/returns/return/")
    page = staff_client.get(f"/admin/returns/return/{ret.pk}/change/")

    assert listing.status_code == 200
    assert ret.code_display in listing.text
    assert page.status_code == 200
    assert 'name="status"' not in page.text
    assert "Save" not in page.text


def test_admin_cannot_change_or_delete_a_return(staff_client, make_return):
    ret = make_return()

    change = staff_client.post(f"/admin/returns/return/{ret.pk}/change/", {"status": "closed"})
    delete = staff_client.post(f"/admin/returns/return/{ret.pk}/delete/", {"post": "yes"})

    assert change.status_code == 403
    assert delete.status_code == 403
    assert Return.objects.get(pk=ret.pk).status == "requested"


def test_admin_revokes_api_keys_through_the_service(staff_client, keys):
    api_key_id = keys.actors["carrier"].api_key_id

    response = staff_client.post("/admin/accounts/apikey/", {"action": "revoke", "_selected_action": [api_key_id]})

    assert response.status_code == 302
    assert keys.client("carrier").get("/api/v1/codes/0000000000000").status_code == 401
