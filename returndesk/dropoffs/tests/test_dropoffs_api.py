"""The drop-off routes: one test per behaviour, exact answers."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta, timezone
from typing import Any

import pytest

from returndesk.core.models import IdempotencyRecord, RateCounter
from returndesk.dropoffs.models import DropoffPoint, Receipt
from returndesk.labels.services import qr_payload_sign
from returndesk.returns.domain.lifecycle import Status
from returndesk.returns.models import Return, ReturnAnomaly
from returndesk.testing import NOW, Keys, frozen_clock, iso

from .conftest import ADDRESS

LATER = NOW + timedelta(hours=3)


def _post(keys: Keys, name: str, path: str, body: dict[str, Any], **headers: str) -> Any:
    with frozen_clock(LATER):
        return keys.client(name).post(path, body, content_type="application/json", headers=headers)


def _state(ret: Return) -> tuple[object, ...]:
    ret.refresh_from_db()
    return (ret.status, ret.parcel_recorded, ret.events.count(), ret.anomalies.count(), ret.receipts.count())


# --- Points ---------------------------------------------------------------------------------------


def test_a_carrier_registers_a_point_201_then_updates_it_200(carriers: Keys) -> None:
    body = {"point_id": "P-1", "name": "Kiosk Nord", "address": ADDRESS}

    created = _post(carriers, "post_a", "/api/v1/dropoff-points", body)
    updated = _post(carriers, "post_a2", "/api/v1/dropoff-points", {**body, "name": "Kiosk Süd", "active": False})

    assert (created.status_code, updated.status_code) == (201, 200)
    assert updated.json() == {
        "point_id": "P-1",
        "carrier": "post",
        "name": "Kiosk Süd",
        "address": ADDRESS,
        "active": False,
        "created_at": iso(LATER),
        "updated_at": iso(LATER),
    }
    assert DropoffPoint.objects.count() == 1


@pytest.mark.parametrize(
    ("member", "value", "loc"),
    [
        ("point_id", "P 1", ["body", "payload", "point_id"]),
        ("point_id", "", ["body", "payload", "point_id"]),
        ("point_id", "P" * 101, ["body", "payload", "point_id"]),
        ("address", {**ADDRESS, "country": "XX"}, ["body", "payload", "address", "country"]),
        ("address", {**ADDRESS, "lines": []}, ["body", "payload", "address", "lines"]),
    ],
)
def test_a_point_needs_a_valid_id_and_address(carriers: Keys, member: str, value: object, loc: list[str]) -> None:
    body = {"point_id": "P-1", "name": "Kiosk", "address": ADDRESS, member: value}

    response = _post(carriers, "post_a", "/api/v1/dropoff-points", body)

    assert (response.status_code, response.json()["code"]) == (422, "validation_error")
    assert [error["loc"] for error in response.json()["errors"]] == [loc]
    assert not DropoffPoint.objects.exists()


def test_the_list_is_a_carriers_own_and_everyones_for_the_platform(carriers: Keys, point: DropoffPoint) -> None:
    _post(carriers, "post_b", "/api/v1/dropoff-points", {"point_id": "P-1", "name": "Other", "address": ADDRESS})

    own = carriers.client("post_a2").get("/api/v1/dropoff-points").json()
    everyone = carriers.client("platform").get("/api/v1/dropoff-points?limit=1").json()
    rest = carriers.client("platform").get(f"/api/v1/dropoff-points?limit=1&cursor={everyone['next_cursor']}").json()

    assert ([(item["carrier"], item["point_id"]) for item in own["items"]], own["next_cursor"]) == (
        [("post", "P-1")],
        None,
    )
    assert [item["carrier"] for item in everyone["items"] + rest["items"]] == ["parcel", "post"]
    assert rest["next_cursor"] is None


# --- Handovers ------------------------------------------------------------------------------------


def test_a_carrier_hands_over_and_gets_the_receipt(
    carriers: Keys, point: DropoffPoint, make_approved: Callable[..., Return]
) -> None:
    ret = make_approved()

    response = _post(
        carriers,
        "post_a",
        "/api/v1/dropoffs",
        {"code": ret.code.lower(), "point_id": "P-1", "weight_g": 510, "tracking_number": "rr 123456785 gb"},
    )

    receipt = Receipt.objects.get()
    assert (response.status_code, response.json()) == (
        201,
        {
            "receipt_id": receipt.receipt_id,
            "code": ret.code,
            "at": iso(LATER),
            "accepted_at": iso(LATER),
            "point_id": "P-1",
            "carrier": "post",
            "tracking_number": "RR123456785GB",
            "weight_g": 510,
            "offline": False,
        },
    )
    shown = carriers.client("seller_a").get(f"/api/v1/returns/{ret.code}").json()
    assert (shown["status"], shown["dropoff"]) == ("in_transit", response.json())
    assert carriers.client("seller_a").get(f"/api/v1/dropoffs/{receipt.receipt_id}").json() == response.json()


def test_a_return_not_handed_over_shows_no_dropoff(carriers: Keys, make_approved: Callable[..., Return]) -> None:
    ret = make_approved()

    assert carriers.client("platform").get(f"/api/v1/returns/{ret.code}").json()["dropoff"] is None


def test_the_platform_records_a_self_shipped_parcel(carriers: Keys, make_approved: Callable[..., Return]) -> None:
    ret = make_approved()

    response = _post(
        carriers,
        "platform",
        "/api/v1/dropoffs",
        {"code": ret.code, "carrier": "dhl", "tracking_number": "1Z999AA10123456784"},
    )

    assert response.status_code == 201
    assert (response.json()["point_id"], response.json()["carrier"]) == (None, "dhl")


def test_a_used_code_is_409_with_the_verifiers_answer_and_changes_nothing(
    carriers: Keys, point: DropoffPoint, make_approved: Callable[..., Return]
) -> None:
    ret = make_approved()
    _post(carriers, "post_a", "/api/v1/dropoffs", {"code": ret.code, "point_id": "P-1"})
    before = _state(ret)

    response = _post(carriers, "post_a", "/api/v1/dropoffs", {"code": ret.code, "point_id": "P-1"})

    assert (response.status_code, response.json()) == (
        409,
        {
            "type": "urn:returndesk:problem:not_acceptable_at_counter",
            "title": "The parcel may not be accepted with this code",
            "status": 409,
            "detail": "This code has already been used for a parcel.",
            "code": "not_acceptable_at_counter",
            "result": "used",
            "reason": None,
            "message": "This code has already been used for a parcel.",
            "suggestions": [],
            "suggestions_display": [],
        },
    )
    assert _state(ret) == before


def test_a_requested_return_is_refused_with_its_reason(
    carriers: Keys, point: DropoffPoint, make_return: Callable[..., Return]
) -> None:
    response = _post(carriers, "post_a", "/api/v1/dropoffs", {"code": make_return().code, "point_id": "P-1"})

    body = response.json()
    assert (response.status_code, body["result"], body["reason"]) == (409, "not_acceptable", "awaiting_approval")


@pytest.mark.parametrize(
    ("name", "body", "locs"),
    [
        ("post_a", {"code": "X"}, [["body", "payload", "point_id"]]),
        ("post_a", {"code": "X", "point_id": "P-1", "carrier": "dhl"}, [["body", "payload", "carrier"]]),
        ("post_a", {"code": "X", "point_id": "P-1", "weight_g": 0}, [["body", "payload", "weight_g"]]),
        ("post_a", {"code": "X", "point_id": "P-1", "weight_g": 10_000_001}, [["body", "payload", "weight_g"]]),
        ("post_a", {"code": "X", "point_id": "P/1"}, [["body", "payload", "point_id"]]),
        (
            "post_a",
            {
                "code": "X",
                "point_id": "P-1",
                "offline": {"qr": "RD1.x", "accepted_at": iso(LATER + timedelta(minutes=6))},
            },
            [["body", "payload", "offline", "accepted_at"]],
        ),
        (
            "platform",
            {"code": "X", "carrier": "dhl", "tracking_number": "RR123456785GB", "point_id": "P-1"},
            [["body", "payload", "point_id"]],
        ),
        ("platform", {"code": "X"}, [["body", "payload", "tracking_number"], ["body", "payload", "carrier"]]),
    ],
)
def test_bad_handover_bodies_are_422(carriers: Keys, name: str, body: dict[str, Any], locs: list[list[str]]) -> None:
    response = _post(carriers, name, "/api/v1/dropoffs", body)

    assert (response.status_code, response.json()["code"]) == (422, "validation_error")
    assert [error["loc"] for error in response.json()["errors"]] == locs


def test_a_point_the_carrier_has_not_registered_is_unknown_point(
    carriers: Keys, point: DropoffPoint, make_approved: Callable[..., Return]
) -> None:
    ret = make_approved()
    before = _state(ret)

    response = _post(carriers, "post_b", "/api/v1/dropoffs", {"code": ret.code, "point_id": "P-1"})

    assert (response.status_code, response.json()["code"]) == (422, "unknown_point")
    assert _state(ret) == before


def test_a_wrong_check_digit_is_bad_check_digit(
    carriers: Keys, point: DropoffPoint, make_approved: Callable[..., Return]
) -> None:
    ret = make_approved()

    response = _post(
        carriers,
        "post_a",
        "/api/v1/dropoffs",
        {"code": ret.code, "point_id": "P-1", "tracking_number": "RR123456784GB"},
    )

    assert (response.status_code, response.json()["errors"]) == (
        422,
        [{"loc": ["body", "tracking_number"], "msg": "S10 check digit should be 5", "type": "bad_check_digit"}],
    )


def test_a_keyed_refusal_keeps_its_failure_count_and_a_replay_counts_none(carriers: Keys, point: DropoffPoint) -> None:
    body = {"code": "K7Q2XM4D9T306", "point_id": "P-1"}

    first = _post(carriers, "post_a", "/api/v1/dropoffs", body, **{"Idempotency-Key": "once"})
    replay = _post(carriers, "post_a", "/api/v1/dropoffs", body, **{"Idempotency-Key": "once"})

    assert (first.status_code, first.json()["result"], replay.status_code) == (409, "unknown", 409)
    assert replay["Idempotent-Replayed"] == "true"
    assert RateCounter.objects.get(bucket="verify:point:post:P-1").count == 1


# The handover's key is not read before its effect (core.idempotency, read_first=False): a repeat
# runs the handover again, which its record's insert rolls back, and is answered as a repeat.


def test_a_keyed_handover_repeated_replays_its_receipt_and_hands_over_once(
    carriers: Keys, point: DropoffPoint, make_approved: Callable[..., Return]
) -> None:
    ret = make_approved()
    body = {"code": ret.code, "point_id": "P-1", "weight_g": 500}

    key = {"Idempotency-Key": "parcel-1"}
    first = _post(carriers, "post_a", "/api/v1/dropoffs", body, **key)
    repeat = _post(carriers, "post_a", "/api/v1/dropoffs", body, **key)
    other_body = _post(carriers, "post_a", "/api/v1/dropoffs", {**body, "weight_g": 600}, **key)

    assert (first.status_code, repeat.status_code, repeat["Idempotent-Replayed"]) == (201, 201, "true")
    assert repeat.content == first.content
    assert (other_body.status_code, other_body.json()["code"]) == (422, "idempotency_key_reused")
    assert _state(ret) == ("in_transit", True, 3, 0, 1)  # request, approve, handover: once
    assert IdempotencyRecord.objects.count() == 1


def test_a_handover_key_outlived_is_a_new_request(
    carriers: Keys, point: DropoffPoint, make_approved: Callable[..., Return]
) -> None:
    ret = make_approved()
    body = {"code": ret.code, "point_id": "P-1"}
    first = _post(carriers, "post_a", "/api/v1/dropoffs", body, **{"Idempotency-Key": "parcel-1"})
    IdempotencyRecord.objects.update(created_at=LATER - timedelta(hours=25))

    again = _post(carriers, "post_a", "/api/v1/dropoffs", body, **{"Idempotency-Key": "parcel-1"})

    assert first.status_code == 201
    # Judged anew: the return is in transit, its code used; the outlived record gave way to this one.
    assert (again.status_code, again.json()["result"], again.has_header("Idempotent-Replayed")) == (409, "used", False)
    assert list(IdempotencyRecord.objects.values_list("status_code", flat=True)) == [409]
    assert _state(ret) == ("in_transit", True, 3, 0, 1)


def test_past_the_failure_limit_a_handover_is_429(
    carriers: Keys, point: DropoffPoint, make_approved: Callable[..., Return], settings: Any
) -> None:
    settings.RETURNDESK = {**settings.RETURNDESK, "VERIFY_FAILURES_PER_MINUTE": 1}
    ret = make_approved()
    _post(carriers, "post_a", "/api/v1/dropoffs", {"code": "not-a-code", "point_id": "P-1"})

    response = _post(carriers, "post_a", "/api/v1/dropoffs", {"code": ret.code, "point_id": "P-1"})

    assert (response.status_code, response.json()["code"], response["Retry-After"]) == (429, "rate_limited", "60")
    assert Return.objects.get(pk=ret.pk).status == Status.APPROVED


# --- Offline --------------------------------------------------------------------------------------


def _offline(ret: Return, accepted_at: Any, qr: str | None = None) -> dict[str, Any]:
    assert ret.ship_by is not None
    payload = qr or qr_payload_sign(code=ret.code, seller=ret.seller.external_id, ship_by=ret.ship_by)
    return {"code": ret.code, "point_id": "P-1", "offline": {"qr": payload, "accepted_at": iso(accepted_at)}}


def test_an_offline_handover_accepted_by_ship_by_is_honoured_after_it(
    carriers: Keys, point: DropoffPoint, make_approved: Callable[..., Return]
) -> None:
    ret = make_approved()
    assert ret.ship_by is not None
    synced = ret.ship_by + timedelta(hours=2)

    with frozen_clock(synced):
        response = carriers.client("post_a").post(
            "/api/v1/dropoffs", _offline(ret, ret.ship_by), content_type="application/json"
        )

    assert response.status_code == 201, response.content
    assert (response.json()["offline"], response.json()["accepted_at"], response.json()["at"]) == (
        True,
        iso(ret.ship_by),
        iso(synced),
    )


def test_an_offline_time_with_an_offset_is_answered_in_utc_as_a_later_get_reads_it(
    carriers: Keys, point: DropoffPoint, make_approved: Callable[..., Return]
) -> None:
    ret = make_approved()
    body = _offline(ret, LATER)
    body["offline"]["accepted_at"] = LATER.astimezone(timezone(timedelta(hours=2))).isoformat()

    with frozen_clock(LATER + timedelta(hours=1)):
        made = carriers.client("post_a").post("/api/v1/dropoffs", body, content_type="application/json")
        read = carriers.client("post_a").get(f"/api/v1/dropoffs/{made.json()['receipt_id']}")

    assert made.status_code == 201, made.content
    assert made.json()["accepted_at"] == read.json()["accepted_at"] == iso(LATER)


def test_an_offline_handover_from_before_the_approval_is_refused(
    carriers: Keys, point: DropoffPoint, make_approved: Callable[..., Return]
) -> None:
    ret = make_approved()

    with frozen_clock(LATER):
        response = carriers.client("post_a").post(
            "/api/v1/dropoffs", _offline(ret, ret.status_since - timedelta(days=1)), content_type="application/json"
        )

    assert response.status_code == 409, response.content
    assert (response.json()["code"], response.json()["result"], response.json()["reason"]) == (
        "not_acceptable_at_counter",
        "not_acceptable",
        "awaiting_approval",
    )
    # As any offline acceptance the code did not allow: refused, with the mismatch on record.
    anomaly = ReturnAnomaly.objects.get(return_request=ret)
    assert (anomaly.code, anomaly.data["result"], Return.objects.get(pk=ret.pk).status) == (
        "offline_mismatch",
        "not_acceptable",
        Status.APPROVED,
    )


@pytest.mark.parametrize("qr", ["RD1.garbage", "not a qr"])
def test_an_offline_qr_that_does_not_verify_is_qr_invalid(
    carriers: Keys, point: DropoffPoint, make_approved: Callable[..., Return], qr: str
) -> None:
    ret = make_approved()
    before = _state(ret)

    response = _post(carriers, "post_a", "/api/v1/dropoffs", _offline(ret, LATER, qr=qr))

    assert (response.status_code, response.json()["code"]) == (422, "qr_invalid")
    assert _state(ret) == before


def test_an_offline_qr_for_another_return_is_qr_invalid(
    carriers: Keys, point: DropoffPoint, make_approved: Callable[..., Return]
) -> None:
    ret, other = make_approved(), make_approved()
    assert other.ship_by is not None
    foreign = qr_payload_sign(code=other.code, seller=other.seller.external_id, ship_by=other.ship_by)

    response = _post(carriers, "post_a", "/api/v1/dropoffs", _offline(ret, LATER, qr=foreign))

    assert (response.status_code, response.json()["code"]) == (422, "qr_invalid")


def test_an_offline_refusal_records_offline_mismatch_once_though_replayed(
    carriers: Keys, point: DropoffPoint, make_approved: Callable[..., Return]
) -> None:
    ret = make_approved()
    assert ret.ship_by is not None
    late = ret.ship_by + timedelta(seconds=1)
    body = _offline(ret, late)

    with frozen_clock(late + timedelta(minutes=1)):
        first = carriers.client("post_a").post(
            "/api/v1/dropoffs", body, content_type="application/json", headers={"Idempotency-Key": "sync-1"}
        )
        replay = carriers.client("post_a").post(
            "/api/v1/dropoffs", body, content_type="application/json", headers={"Idempotency-Key": "sync-1"}
        )

    assert (first.status_code, first.json()["result"], replay.status_code) == (409, "expired", 409)
    assert replay["Idempotent-Replayed"] == "true"
    assert list(ReturnAnomaly.objects.filter(return_request=ret).values_list("code", "source")) == [
        ("offline_mismatch", "handover")
    ]
    assert Return.objects.get(pk=ret.pk).status == Status.APPROVED
