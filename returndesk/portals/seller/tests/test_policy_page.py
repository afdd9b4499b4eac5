"""The seller's return policy page: who may open it, Save through the API's service, the 422 beside
each field, and the history."""

from __future__ import annotations

import re
from typing import Any

import pytest

from returndesk.policies.errors import WAREHOUSE_MAY_NOT_EDIT
from returndesk.policies.models import PolicyVersion
from returndesk.testing.portal_clients import PortalScene, Route, everyone

pytestmark = pytest.mark.django_db

SIGN_IN = "302 /sign-in/?next=/seller/policy"
FORM: dict[str, Any] = {
    "window_days": "45",
    "free_window_days": "15",
    "free_returns_per_order": "1",
    "paid_by_size_fit": "buyer",
    "paid_by_changed_mind": "buyer",
    "paid_by_other": "seller",
    "return_shipping_fee": "",
    "restocking_fee_percent": "5",
    "non_returnable_categories": "Swimwear\nUnderwear",
    "non_returnable_skus": "",
    "auto_approve_reasons": "defective",
    "auto_approve_max_line_paid": "EUR 50.00",
    "auto_approve_days": "",
    "keep_item_below": "EUR 3.00",
    "exchanges": "on",
}


def test_who_may_open_the_policy_page(portal_scene: PortalScene) -> None:
    table = [
        Route(
            "GET",
            "/seller/policy",
            everyone(
                "403 forbidden",
                signed_out=SIGN_IN,
                seller_a_manager="200",
                seller_b_manager="200",
                seller_a_warehouse="403 forbidden_action",
            ),
        ),
        Route(
            "POST",
            "/seller/policy",
            everyone(
                "403 forbidden",
                signed_out=SIGN_IN,
                seller_a_manager="422 outside_platform_bounds",
                seller_b_manager="422 outside_platform_bounds",
                seller_a_warehouse="403 forbidden_action",
            ),
            data={**FORM, "window_days": "7", "free_window_days": "7"},
        ),
    ]

    assert {str(route): portal_scene.answers(route) for route in table} == {
        str(route): dict(route.expected) for route in table
    }
    assert PolicyVersion.objects.count() == 1


def test_warehouse_staff_are_told_what_the_api_tells_them(portal_scene: PortalScene) -> None:
    response = portal_scene.clients["seller_a_warehouse"].get("/seller/policy")

    assert response.status_code == 403
    text = response.content.decode()
    assert 'data-problem="forbidden_action"' in text
    assert WAREHOUSE_MAY_NOT_EDIT.replace("'", "&#x27;") in text


def test_the_page_shows_each_editable_field_with_its_bound_and_the_rest_read_only(
    portal_scene: PortalScene, django_assert_max_num_queries
) -> None:
    client = portal_scene.clients["seller_a_manager"]

    response = client.get("/seller/policy")

    text = response.content.decode()
    assert response.status_code == 200
    assert re.findall(r'data-bound="([a-z_]+)"', text) == [
        "window_days",
        "free_window_days",
        "free_returns_per_order",
        "return_shipping_paid_by",
        "return_shipping_fee",
        "restocking_fee_percent",
        "non_returnable_categories",
        "non_returnable_skus",
        "auto_approve",
        "keep_item_below",
        "exchanges",
    ]
    assert '<small id="bound-window_days" data-bound="window_days">14 to 365 days</small>' in text
    assert re.findall(r'<dd data-field="([a-z_]+)"', text) == ["hold_refunds_above", "clock_days"]
    assert 'href="/seller/policy" data-policy-link' in client.get("/seller/").content.decode()
    assert "data-policy-link" not in portal_scene.clients["seller_a_warehouse"].get("/seller/").content.decode()


def test_save_makes_a_version_and_shows_it_then_the_history(portal_scene: PortalScene) -> None:
    client = portal_scene.clients["seller_a_manager"]

    saved = client.post("/seller/policy", FORM)

    version = PolicyVersion.objects.get(seller__external_id="S-A")
    assert (saved.status_code, saved["Location"]) == (302, f"/seller/policy?saved={version.version}")
    assert (version.document["window_days"], version.document["restocking_fee_percent"]) == (45, "5")
    assert version.document["non_returnable_categories"] == ["Swimwear", "Underwear"]
    assert version.document["auto_approve"] == {
        "reasons": ["defective"],
        "max_line_paid": {"EUR": "50.00"},
        "max_days_since_delivery": None,
    }
    assert version.document["return_shipping_paid_by"] == {
        "changed_mind": "buyer",
        "other": "seller",
        "size_fit": "buyer",
    }
    assert (version.actor_kind, version.document["keep_item_below"]) == ("seller_user", {"EUR": "3.00"})
    page = client.get(saved["Location"]).content.decode()
    assert f'data-saved="{version.version}"' in page
    assert re.findall(r'<li data-version="(\d+)">.*?</time>: ([^<]+)</li>', page) == [
        (
            str(version.version),
            "window_days, return_shipping_paid_by, restocking_fee_percent, non_returnable_categories, "
            "auto_approve, keep_item_below",
        )
    ]
    # The same form again changes nothing: no second version.
    assert client.post("/seller/policy", FORM)["Location"] == f"/seller/policy?saved={version.version}"
    assert PolicyVersion.objects.filter(seller__external_id="S-A").count() == 1


def test_a_refusal_shows_each_code_and_message_beside_its_field(portal_scene: PortalScene) -> None:
    client = portal_scene.clients["seller_a_manager"]

    response = client.post("/seller/policy", {**FORM, "window_days": "7", "return_shipping_fee": "EUR 4.99"})

    text = response.content.decode()
    assert response.status_code == 422
    assert re.findall(r'data-errors-for="([a-z_]+)"><li data-code="([a-z_]+)">', text) == [
        ("window_days", "below_minimum"),
        ("free_window_days", "above_maximum"),
        ("return_shipping_fee", "currency_not_allowed"),
    ]
    assert "window_days must be at least 14 days (the EU&#x27;s right of withdrawal)." in text
    assert 'id="window_days" name="window_days" type="number" inputmode="numeric" value="7"' in text
    assert 'aria-describedby="bound-window_days error-window_days" aria-invalid="true"' in text
    assert PolicyVersion.objects.count() == 1


def test_a_malformed_value_is_named_beside_its_field(portal_scene: PortalScene) -> None:
    client = portal_scene.clients["seller_a_manager"]

    response = client.post("/seller/policy", {**FORM, "keep_item_below": "EURO 3", "window_days": "thirty"})

    text = response.content.decode()
    assert response.status_code == 422
    assert re.findall(r'data-errors-for="([a-z_]+)"><li data-code="([a-z_]+)">', text) == [
        ("window_days", "invalid"),
        ("keep_item_below", "invalid"),
    ]


@pytest.mark.parametrize(
    ("typed", "code"),
    [("-5", "below_minimum"), ("3e3", "above_maximum"), ("²", "invalid"), ("1" * 40, "invalid")],
    ids=["negative", "exponent", "superscript two", "forty digits"],
)
def test_a_number_is_read_as_the_apis_json_reads_it(portal_scene: PortalScene, typed: str, code: str) -> None:
    client = portal_scene.clients["seller_a_manager"]

    response = client.post("/seller/policy", {**FORM, "window_days": typed})

    assert response.status_code == 422
    assert re.findall(r'data-errors-for="window_days"><li data-code="([a-z_]+)">', response.content.decode()) == [code]
    assert PolicyVersion.objects.count() == 1


def test_thirty_point_zero_is_thirty_as_in_the_api(portal_scene: PortalScene) -> None:
    client = portal_scene.clients["seller_a_manager"]

    assert client.post("/seller/policy", {**FORM, "window_days": "30.0"}).status_code == 302
    assert PolicyVersion.objects.latest("version").document["window_days"] == 30


def test_only_the_version_in_force_is_said_to_be_saved(portal_scene: PortalScene) -> None:
    client = portal_scene.clients["seller_a_manager"]

    page = client.get("/seller/policy?saved=99999").content.decode()

    assert "data-saved" not in page
