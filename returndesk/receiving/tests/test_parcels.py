"""Parcels that arrived without a known return: recorded, listed, read, matched (which receives)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from returndesk.core.errors import Forbidden, InvalidTransition
from returndesk.receiving.errors import ParcelAlreadyMatched, ParcelNotFound
from returndesk.receiving.models import Parcel, Receiving
from returndesk.receiving.services import parcel_create, parcel_match
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.errors import BadCheckDigit
from returndesk.returns.models import Return, ReturnEvent
from returndesk.testing import NOW, iso

pytestmark = pytest.mark.django_db
JSON = "application/json"


def record(keys, caller: str = "seller_a", **fields: Any) -> Parcel:
    return parcel_create(actor=keys.actors[caller], contents=fields.pop("contents", "A lamp, no paperwork"), **fields)


def parcels_state() -> list[dict[str, Any]]:
    return list(Parcel.objects.order_by("id").values())


def test_a_parcel_is_recorded_unmatched_with_its_number_normalised(keys):
    parcel = record(
        keys, tracking_number="rr 1234 5678 5gb", sender_name=" A. Buyer ", note="Left at the gate", now=NOW
    )

    assert Parcel.objects.filter(pk=parcel.pk).values(
        "status", "seller__external_id", "tracking_number", "sender_name", "contents", "note", "recorded_at"
    ).get() == {
        "status": "unmatched",
        "seller__external_id": "S-A",
        "tracking_number": "RR123456785GB",
        "sender_name": "A. Buyer",
        "contents": "A lamp, no paperwork",
        "note": "Left at the gate",
        "recorded_at": NOW,
    }
    assert (parcel.public_id[:2], len(parcel.public_id)) == ("PA", 14)


def test_a_wrong_check_digit_is_refused_and_records_nothing(keys):
    with pytest.raises(BadCheckDigit) as refused:
        record(keys, tracking_number="RR123456784GB")

    assert refused.value.errors == [
        {"loc": ["body", "tracking_number"], "msg": "S10 check digit should be 5", "type": "bad_check_digit"}
    ]
    assert parcels_state() == []


@pytest.mark.parametrize("caller", ["platform", "agent", "carrier"])
def test_only_a_seller_records_parcels(keys, caller):
    with pytest.raises(Forbidden):
        record(keys, caller)

    assert parcels_state() == []


def test_matching_receives_the_return_and_marks_the_parcel(boxed, keys):
    ret, parcel = boxed(), record(keys, now=NOW)

    received = parcel_match(parcel_id=parcel.public_id.lower(), actor=keys.actors["seller_a"], code=ret.code)

    parcel.refresh_from_db()
    assert (received.status, parcel.status, parcel.matched_return_id, parcel.matched_at) == (
        Status.RECEIVED,
        "matched",
        ret.pk,
        received.status_since,
    )
    receive_event = ReturnEvent.objects.get(return_request=ret, action="receive")
    assert receive_event.data["parcel"] == parcel.public_id
    assert Receiving.objects.filter(return_request=ret).count() == 1


def test_a_parcel_matched_already_is_409_and_nothing_changes(boxed, keys):
    first, second, parcel = boxed(), boxed(), record(keys)
    parcel_match(parcel_id=parcel.public_id, actor=keys.actors["seller_a"], code=first.code)
    before = (parcels_state(), Return.objects.get(pk=second.pk).status)

    with pytest.raises(ParcelAlreadyMatched) as refused:
        parcel_match(parcel_id=parcel.public_id, actor=keys.actors["seller_a"], code=second.code)

    assert (refused.value.status, refused.value.code, refused.value.extra) == (
        409,
        "parcel_already_matched",
        {"matched_return": first.code},
    )
    assert (parcels_state(), Return.objects.get(pk=second.pk).status) == before


def test_a_return_that_cannot_be_received_leaves_the_parcel_unmatched(boxed, keys):
    requested, parcel = boxed(status=Status.REQUESTED), record(keys)
    before = parcels_state()

    with pytest.raises(InvalidTransition):
        parcel_match(parcel_id=parcel.public_id, actor=keys.actors["seller_a"], code=requested.code)

    assert parcels_state() == before
    assert Receiving.objects.count() == 0


def test_another_sellers_parcel_is_not_found(boxed, keys):
    parcel = record(keys, "seller_b")

    with pytest.raises(ParcelNotFound):
        parcel_match(parcel_id=parcel.public_id, actor=keys.actors["seller_a"], code=boxed().code)

    assert Parcel.objects.get(pk=parcel.pk).status == "unmatched"


# --- Through the API ---------------------------------------------------------------------------


def test_api_post_parcels_answers_201_with_the_parcel(keys):
    response = keys.client("seller_a").post(
        "/api/v1/parcels", {"contents": "Two lamps", "tracking_number": "1Z999AA10123456784"}, content_type=JSON
    )

    parcel = Parcel.objects.get()
    assert (response.status_code, response.json()) == (
        201,
        {
            "id": parcel.public_id,
            "status": "unmatched",
            "seller": {"external_id": "S-A", "name": "Seller S-A"},
            "tracking_number": "1Z999AA10123456784",
            "sender_name": "",
            "contents": "Two lamps",
            "note": "",
            "recorded_at": iso(parcel.recorded_at),
            "matched_return": None,
            "matched_at": None,
        },
    )


def test_api_a_bad_check_digit_is_422_bad_check_digit(keys):
    response = keys.client("seller_a").post(
        "/api/v1/parcels", {"contents": "Two lamps", "tracking_number": "RR123456784GB"}, content_type=JSON
    )

    assert (response.status_code, response.json()["code"], response.json()["errors"]) == (
        422,
        "bad_check_digit",
        [{"loc": ["body", "tracking_number"], "msg": "S10 check digit should be 5", "type": "bad_check_digit"}],
    )
    assert parcels_state() == []


def test_api_lists_unmatched_parcels_newest_first_in_the_callers_scope(boxed, keys):
    older, newer = record(keys, now=NOW), record(keys, now=NOW + timedelta(hours=1))
    matched = record(keys, now=NOW + timedelta(hours=2))
    parcel_match(parcel_id=matched.public_id, actor=keys.actors["seller_a"], code=boxed().code)
    others = record(keys, "seller_b", now=NOW)

    def ids(caller: str, query: str = "") -> list[str]:
        response = keys.client(caller).get(f"/api/v1/parcels{query}")
        assert response.status_code == 200
        return [item["id"] for item in response.json()["items"]]

    assert ids("seller_a", "?status=unmatched") == [newer.public_id, older.public_id]
    assert ids("seller_a", "?status=matched") == [matched.public_id]
    assert ids("seller_b") == [others.public_id]
    # Recorded at the same moment: the later row first.
    assert ids("agent") == [matched.public_id, newer.public_id, others.public_id, older.public_id]


def test_api_a_page_follows_its_cursor(keys):
    recorded = [record(keys, now=NOW + timedelta(minutes=minute)) for minute in range(3)]
    client = keys.client("platform")

    first = client.get("/api/v1/parcels", {"limit": 2}).json()
    second = client.get("/api/v1/parcels", {"limit": 2, "cursor": first["next_cursor"]}).json()

    assert [item["id"] for item in first["items"] + second["items"]] == [p.public_id for p in reversed(recorded)]
    assert second["next_cursor"] is None


@pytest.mark.parametrize("count", [2, 20])
def test_api_a_page_costs_one_query_whatever_its_size(boxed, keys, django_assert_num_queries, count):
    for _ in range(count):
        parcel_match(parcel_id=record(keys).public_id, actor=keys.actors["seller_a"], code=boxed().code)
    client = keys.client("platform")
    client.get("/api/v1/parcels")

    # The key is cached; the page with each parcel's seller and matched return joined.
    with django_assert_num_queries(1):
        response = client.get("/api/v1/parcels")

    assert [item["matched_return"] is not None for item in response.json()["items"]] == [True] * count


def test_api_get_a_parcel_and_match_it(boxed, keys, django_assert_num_queries):
    ret, parcel = boxed(), record(keys)
    client = keys.client("seller_a")
    client.get("/api/v1/parcels")

    with django_assert_num_queries(1):
        found = client.get(f"/api/v1/parcels/{parcel.public_id}")
    matched = client.post(
        f"/api/v1/parcels/{parcel.public_id}/match",
        {"code": ret.code, "lines": [{"sku": "SKU-1", "quantity": 2}], "note": "Found in the yard"},
        content_type=JSON,
    )
    again = client.post(f"/api/v1/parcels/{parcel.public_id}/match", {"code": ret.code}, content_type=JSON)

    assert (found.status_code, found.json()["status"]) == (200, "unmatched")
    body = matched.json()
    assert (matched.status_code, body["status"], [line["result"] for line in body["receiving"]["lines"]]) == (
        200,
        "received",
        ["ok", "short"],
    )
    assert [anomaly["code"] for anomaly in body["anomalies"]] == ["short"]
    assert (again.status_code, again.json()["code"], again.json()["matched_return"]) == (
        409,
        "parcel_already_matched",
        ret.code,
    )
    assert client.get(f"/api/v1/parcels/{parcel.public_id}").json()["matched_return"] == ret.code
