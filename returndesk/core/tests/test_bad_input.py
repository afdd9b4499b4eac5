"""Input that once reached the database or date arithmetic and answered 500 now answers 4xx."""

import json

import pytest

from returndesk.marketplace.models import Order
from returndesk.scenarios.payloads import order_payload

# NUL characters and out-of-range values fail differently on each backend: run on PostgreSQL too.
pytestmark = pytest.mark.database


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("get", "/api/v1/returns/AB%00CD", None),
        ("get", "/api/v1/orders/O%001", None),
        ("get", "/api/v1/returns?seller=S%00A", None),
        ("get", "/api/v1/codes/K7Q2XM4D9T306?point_id=P%001", None),
        ("post", "/api/v1/returns/K7Q2XM4D9T306/reject", '{"reason": "a\\u0000b"}'),
    ],
    ids=["path", "order path", "list filter", "verifier point", "body"],
)
def test_a_nul_character_anywhere_is_a_validation_error(keys, method, path, body):
    client = keys.client("platform")
    response = client.get(path) if body is None else client.post(path, body, content_type="application/json")

    assert response.status_code == 422
    assert response["Content-Type"] == "application/problem+json"
    assert response.json()["code"] == "validation_error"


@pytest.mark.parametrize(
    ("change", "location"),
    [
        ({"placed_at": "9999-12-31T23:59:59-05:00"}, ["body", "payload", "placed_at"]),
        ({"delivered_at": "0001-01-01T00:00:00+05:00"}, ["body", "payload", "delivered_at"]),
        ({"delivered_at": "9999-12-30T00:00:00Z"}, ["body", "payload", "delivered_at"]),
        ({"shipping_amount": "99999999999999.99"}, ["body", "payload", "shipping_amount"]),
        (
            {
                "buyer": {
                    "external_id": "B-9",
                    "email": "b9@example.com",
                    "name": "B",
                    "country": "ES",
                    "time_zone": "Mars/Olympus_Mons",
                }
            },
            ["body", "payload", "buyer"],
        ),
    ],
    ids=["placed far future", "delivered year 1", "delivered far future", "16 digits", "unknown zone"],
)
def test_order_values_the_service_cannot_compute_with_are_refused(keys, change, location):
    response = keys.client("platform").post("/api/v1/orders", order_payload() | change, content_type="application/json")

    assert (response.status_code, response.json()["code"]) == (422, "validation_error")
    assert response.json()["errors"][0]["loc"][: len(location)] == location
    assert Order.objects.count() == 0


def test_a_weight_beyond_ten_tonnes_is_refused(keys):
    payload = order_payload()
    payload["lines"][0]["weight_g"] = 10**20

    response = keys.client("platform").post("/api/v1/orders", json.dumps(payload), content_type="application/json")

    assert (response.status_code, response.json()["code"]) == (422, "validation_error")
    assert Order.objects.count() == 0


def test_a_list_filter_in_a_far_off_year_is_refused(keys):
    response = keys.client("platform").get("/api/v1/returns", {"created_after": "9999-12-31T23:59:59-05:00"})

    assert (response.status_code, response.json()["code"]) == (422, "validation_error")
