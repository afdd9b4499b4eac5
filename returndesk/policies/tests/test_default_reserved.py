"""``default`` names the platform's policy: no imported seller may take it."""

from __future__ import annotations

import json

from returndesk.marketplace.models import Order, Seller
from returndesk.marketplace.schemas import RESERVED_SELLER_ID
from returndesk.policies.domain.policy import DEFAULT_SELLER
from returndesk.scenarios.payloads import order_payload
from returndesk.testing import Keys


def test_an_order_of_seller_default_is_a_validation_error(keys: Keys) -> None:
    payload = order_payload(seller={"external_id": "default", "name": "Default Ltd", "country": "DE"})

    response = keys.client("platform").post("/api/v1/orders", json.dumps(payload), content_type="application/json")

    assert (response.status_code, response.json()["code"]) == (422, "validation_error")
    (error,) = response.json()["errors"]
    assert error["loc"] == ["body", "payload", "seller", "external_id"]
    assert error["msg"] == "Value error, the seller id 'default' is reserved for the platform's default policy"
    assert not Order.objects.exists()
    assert not Seller.objects.filter(external_id="default").exists()


def test_the_marketplace_reserves_the_id_the_policies_route_names() -> None:
    assert RESERVED_SELLER_ID == DEFAULT_SELLER
